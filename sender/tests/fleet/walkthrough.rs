//! The curl walk-through of `docs/api.md` ("Try it"), run as it is written
//! against the whole system, so the documentation cannot go stale.

use std::{path::Path, process::Stdio, time::Duration};

use crate::{campaign::recipients_xlsx, stack::Stack};

/// The shell blocks of the section headed `heading`, up to the next
/// second-level heading, in order.
fn shell_blocks(markdown: &str, heading: &str) -> Vec<String> {
    let start = markdown.find(heading).unwrap_or_else(|| panic!("docs/api.md has no {heading:?}"));
    let section = &markdown[start + heading.len()..];
    let section = &section[..section.find("\n## ").unwrap_or(section.len())];
    section.split("```sh\n").skip(1).map(|block| block.split("```").next().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn the_documented_curl_walk_through_sends_a_campaign() {
    let mut stack = Stack::start().await;
    stack.spawn_sender("s1");
    // What the walk-through asks for before it starts: a package on sale
    // (made by an admin) and a list of recipients.
    sqlx::query(
        "INSERT INTO packages (title, description, price, duration, category, message_limit) \
         VALUES ('پایه', 'd', 100000, 30, 'c', 1000)",
    )
    .execute(&stack.db)
    .await
    .unwrap();
    let workdir = tempfile::tempdir().unwrap();
    let (list, phones) = recipients_xlsx(3);
    std::fs::write(workdir.path().join("list.xlsx"), list).unwrap();

    let docs = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/api.md")).unwrap();
    let blocks = shell_blocks(&docs, "## Try it");
    assert_eq!(blocks.len(), 2, "the walk-through's two blocks: signing in, then sending");
    let script = blocks
        .join("\n")
        .replace("http://localhost:3000", &stack.api)
        .replace("http://localhost:3100", stack.simulator.base_url());
    // Every request must succeed: a failing call stops the script.
    let prelude = "set -euo pipefail\ncurl() { command curl --show-error --fail-with-body \"$@\"; }\n";
    let run = tokio::process::Command::new("bash")
        .arg("-c")
        .arg(format!("{prelude}{script}"))
        .current_dir(workdir.path())
        .stdin(Stdio::null())
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(Duration::from_secs(180), run).await.expect("the walk-through finishes").unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "the walk-through failed:\n{stdout}\n{stderr}\n{}", stack.sender_log("s1"));

    // What the user was promised: each recipient got the rendered message,
    // and the report is a workbook.
    for phone in &phones {
        assert!(stdout.contains(phone), "{phone} is not among the phones' messages:\n{stdout}");
    }
    assert!(stdout.contains("سلام گیرنده 0!"), "the message was not personalised:\n{stdout}");
    let report = std::fs::read(workdir.path().join("report.xlsx")).unwrap();
    assert!(report.starts_with(b"PK"), "the report is not an .xlsx");
}
