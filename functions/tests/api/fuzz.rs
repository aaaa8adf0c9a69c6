//! Schemathesis, a third-party fuzzer, against the served OpenAPI document:
//! it generates requests valid and invalid by the document for every
//! operation, sends them to the gateway (every router with its layers, on a
//! real port) and runs all its checks — no server error, every answer
//! documented (status, headers, content type, schema), invalid requests
//! refused, valid ones accepted, undeclared methods answered 405 with
//! `Allow`, authentication not ignored. Zero failures.
//!
//! `infra/dev.sh test` installs the pinned release into its venv and sets
//! `SCHEMATHESIS` and `REQUIRE_SCHEMATHESIS=1`; elsewhere the test is
//! skipped (with a message) when the fuzzer is absent.

use std::{path::PathBuf, process::Command, time::Instant};

use crate::helpers::TestApp;

/// Examples per operation and per phase: with the coverage phase's
/// boundary cases it makes about 2,000 requests per run, 1–2 minutes on
/// 2 cores. `SCHEMATHESIS_MAX_EXAMPLES` raises it for a longer hunt.
const MAX_EXAMPLES: &str = "8";

/// A fixed seed: the same cases every run, so CI does not flicker;
/// `SCHEMATHESIS_SEED` picks another.
const SEED: &str = "28";

fn schemathesis() -> Option<PathBuf> {
    let path = std::env::var_os("SCHEMATHESIS").map(PathBuf::from).or_else(|| {
        let home = std::env::var_os("HOME")?;
        Some(PathBuf::from(home).join(".cache/wa-campaigns/venv/bin/schemathesis"))
    })?;
    if path.is_file() {
        return Some(path);
    }
    assert!(
        std::env::var_os("REQUIRE_SCHEMATHESIS").is_none(),
        "REQUIRE_SCHEMATHESIS is set but schemathesis is not at {} (infra/dev.sh test installs it)",
        path.display()
    );
    eprintln!("skipped: schemathesis is not installed at {} (infra/dev.sh test installs it)", path.display());
    None
}

/// One run of the fuzzer as the bearer of `token`, over the operations the
/// `filters` select; its output if it found any failure.
async fn fuzz(bin: &PathBuf, app: &TestApp, who: &str, token: &str, filters: &[&str]) -> Option<String> {
    let env = |name: &str, default: &str| std::env::var(name).unwrap_or_else(|_| default.to_owned());
    let config = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/api/schemathesis.toml");
    // Its caches and reports go to a directory of its own, not the tree.
    let scratch = tempfile::tempdir().unwrap();
    let mut command = Command::new(bin);
    command
        .current_dir(scratch.path())
        .args(["--config-file", config])
        .arg("run")
        .arg(app.url("/api/openapi.json"))
        .args(["--url", &app.address])
        .args(["--checks", "all"])
        .args(["--max-examples", &env("SCHEMATHESIS_MAX_EXAMPLES", MAX_EXAMPLES)])
        .args(["--seed", &env("SCHEMATHESIS_SEED", SEED)])
        .args(["--workers", "2"])
        .args(["--generation-database", "none"])
        .args(["--request-timeout", "30"])
        // Linking a WhatsApp number waits up to 20 s for a sender's QR code
        // (`link_queue::LINK_WAIT`; in the tests no sender shows one).
        .args(["--max-response-time", "25"])
        .args(["--suppress-health-check", "too_slow,filter_too_much"])
        .args(["--header", &format!("Authorization: Bearer {token}")])
        .args(["--no-color", "--output-truncate", "false"])
        .args(filters)
        .env("NO_COLOR", "1");
    let started = Instant::now();
    let output = tokio::task::spawn_blocking(move || command.output()).await.unwrap().expect("schemathesis runs");
    let said = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    let summary: Vec<&str> = said.lines().filter(|l| !l.trim().is_empty()).rev().take(12).collect();
    eprintln!(
        "schemathesis as {who}, {:.0} s:\n{}",
        started.elapsed().as_secs_f64(),
        summary.into_iter().rev().collect::<Vec<_>>().join("\n")
    );
    if output.status.success() {
        return None;
    }
    // The server's side of any 500: its error lines.
    let errors: Vec<String> = crate::log_capture::all()
        .lines()
        .filter(|l| l.contains("ERROR") || l.contains("failed"))
        .map(str::to_owned)
        .collect();
    Some(format!("schemathesis as {who} found failures:\n{said}\nserver errors:\n{}", errors.join("\n")))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schemathesis_finds_no_failure_as_a_user_nor_as_an_admin() {
    let Some(bin) = schemathesis() else { return };
    let app = TestApp::spawn().await;
    let (_, user) = app.user().await;
    let (_, admin) = app.staff("SUPER_ADMIN").await;
    // A user: every operation (those of administrators answer 403).
    let as_user = fuzz(&bin, &app, "a user", &user.access_token, &[]).await;
    // An administrator: the operations only administrators get past 403 on.
    let as_admin =
        fuzz(&bin, &app, "an admin", &admin.access_token, &["--include-path-regex", "^/api/(admin|packages)"]).await;
    let failures: Vec<String> = [as_user, as_admin].into_iter().flatten().collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
