//! `sender probe`: an operator's check of a stored session against the live
//! page, run as the real binary on a real profile.

use sender::driver::SendOutcome;
use wa_simulator::Markup;

use crate::{
    helpers::{phone, Harness},
    on_every_markup,
};

on_every_markup!(the_probe_prints_the_matching_alternative_of_every_hook_and_names_a_drifted_one);

async fn the_probe_prints_the_matching_alternative_of_every_hook_and_names_a_drifted_one(markup: Markup) {
    let harness = Harness::start(markup).await;
    let session = harness.logged_in("probed").await;
    let to = phone("989121234567");
    assert!(matches!(session.send_text(&to, "a message to find").await.unwrap(), SendOutcome::Sent { .. }));
    session.close().await.unwrap();

    let probe = |label: &'static str| run_probe(&harness, "probed", to.as_str(), label);
    let (passed, report, _) = probe("before the drift").await;
    assert!(passed, "{report}");
    assert!(report.contains("login: logged in") && report.contains("chat opened: in-app"), "{report}");
    assert!(report.contains("own number: 989000000000"), "{report}");
    let expected_send = match markup {
        Markup::M2026 | Markup::M2025 => r#"#0 current: aria-label: #main footer button[aria-label="Send"]"#,
        Markup::Legacy => r#"#2 legacy: data-icon: #main footer span[data-icon="send"]"#,
    };
    let expected_row = match markup {
        Markup::M2026 => r#"#0 2026: data-testid conv-msg-: #main [data-testid^="conv-msg-"]"#,
        Markup::M2025 | Markup::Legacy => r#"#1 2025: data-id true_/false_"#,
    };
    for line in [
        "ok     chat-list",
        "ok     compose",
        "ok     attach",
        "ok     media-input",
        "ok     message-row",
        "ok     outgoing",
        "ok     ticks",
        "restriction          not checked: not showing",
        expected_send,
        expected_row,
    ] {
        assert!(report.contains(line), "{line} missing from:\n{report}");
    }
    assert!(!report.contains("DRIFT"), "{report}");

    harness.control.drift("send").await.unwrap();
    let (passed, report, errors) = probe("after the drift").await;
    assert!(!passed, "a drift fails the probe");
    assert!(report.contains("DRIFT  send"), "{report}");
    assert!(errors.contains("no alternative matched for: send"), "{errors}");
    // Probing sent nothing.
    assert_eq!(harness.control.messages(None).await.unwrap().len(), 1);
    harness.finish().await;
}

/// The 2026 page: the probe names the message-row hook that matched and,
/// in a chat WhatsApp's timelock closes, the restriction bar.
#[tokio::test]
async fn the_probe_reports_the_row_hooks_and_the_timelock_bar() {
    let harness = Harness::start(Markup::M2026).await;
    let session = harness.logged_in("probed-2026").await;
    let stranger = phone("989121234999");
    session.close().await.unwrap();
    harness.control.timelock("989000000000", Some(chrono::Utc::now() + chrono::TimeDelta::hours(1))).await.unwrap();
    let (passed, report, _) = run_probe(&harness, "probed-2026", stranger.as_str(), "in a timelocked chat").await;
    assert!(passed, "{report}");
    for line in [
        "restricted: your account on linked devices is restricted",
        r#"ok     restriction          [chat] #0 2026: timelock compose bar"#,
        "compose, attach, send not checked: the chat shows WhatsApp's restriction instead",
    ] {
        assert!(report.contains(line), "{line} missing from:\n{report}");
    }
    assert!(harness.control.messages(None).await.unwrap().is_empty(), "probing sent nothing");
    harness.finish().await;
}

/// `sender probe` (the real binary) on the profile `name` with the chat of
/// `phone`: whether it passed, its report and its log. Not a blocking wait:
/// the simulator serves from the test's runtime.
async fn run_probe(harness: &Harness, name: &str, phone: &str, label: &str) -> (bool, String, String) {
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_sender"))
        .args(["probe", "--profile", harness.profile(name).to_str().unwrap(), "--phone", phone])
        .env("WHATSAPP_URL", harness.base_url())
        .env("RUST_LOG", "warn")
        .env("RUST_BACKTRACE", "0")
        .output()
        .await
        .expect("the sender binary runs");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    println!("probe {label}:\n{stdout}{stderr}");
    (output.status.success(), stdout, stderr)
}
