//! The driver against markup captured from the live WhatsApp Web
//! (`sender/tests/captures/`, each file headed with its public source, date,
//! UI language and what the driver must read from it). Every capture is
//! loaded in real Chromium and read with the driver's own in-page library —
//! every hook's alternatives, the tick reader, the inbox, the restriction
//! finder, the covering-dialog finder — and the reading must be what the
//! header says. A capture is evidence, not a fixture shaped after the driver:
//! when one disagrees, the driver is what changes.

use std::{collections::BTreeMap, path::PathBuf};

use sender::driver::{DriverConfig, Launcher, PageReading, Screen};
use serde_json::Value;
use url::Url;

struct Capture {
    name: String,
    url: Url,
    headers: BTreeMap<String, String>,
    expect: Value,
}

fn captures() -> Vec<Capture> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/captures");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("the captures folder")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let html = std::fs::read_to_string(&path).unwrap();
            let header = html
                .trim_start()
                .strip_prefix("<!--")
                .and_then(|rest| rest.split_once("-->"))
                .unwrap_or_else(|| panic!("{name}: no header comment"))
                .0;
            let headers: BTreeMap<String, String> = header
                .lines()
                .filter_map(|line| line.split_once(": "))
                .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
                .collect();
            let expect = serde_json::from_str(headers.get("expect").unwrap_or_else(|| panic!("{name}: no expect")))
                .unwrap_or_else(|e| panic!("{name}: expect is not JSON: {e}"));
            Capture { name, url: Url::from_file_path(&path).unwrap(), headers, expect }
        })
        .collect()
}

/// Every way the reading differs from what the capture's header expects.
fn differences(reading: &PageReading, expect: &Value) -> Vec<String> {
    let mut wrong = Vec::new();
    if let Some(screen) = expect["screen"].as_str() {
        if reading.screen.kind() != screen {
            wrong.push(format!("screen: read {:?}, expected {screen}", reading.screen));
        }
    }
    for hook in expect["hooks"].as_array().into_iter().flatten().filter_map(Value::as_str) {
        let found = match hook {
            "covering-dialog" => reading.covered,
            _ => reading.matched.get(hook).is_some_and(|&index| index >= 0),
        };
        if !found {
            wrong.push(format!("hook {hook}: no alternative matches"));
        }
    }
    if let Some(last) = expect.get("last") {
        let read = match &reading.screen {
            Screen::Chat { last, .. } => {
                last.as_ref().map(|m| m.status.map_or("unrecognised".to_owned(), |s| format!("{s:?}").to_lowercase()))
            }
            _ => None,
        };
        let expected = last["status"].as_str().map(str::to_owned);
        if read != expected {
            wrong.push(format!("our last message: read {read:?}, expected {expected:?}"));
        }
    }
    if let Some(replies) = expect["replies"].as_array() {
        let read: Vec<&str> = reading.replies.iter().map(|m| m.text.trim()).collect();
        let expected: Vec<&str> = replies.iter().filter_map(Value::as_str).collect();
        if read != expected {
            wrong.push(format!("replies: read {read:?}, expected {expected:?}"));
        }
    }
    if let Some(unread) = expect["unread"].as_array() {
        let read: Vec<String> =
            reading.unread.iter().map(|t| t.chars().filter(char::is_ascii_digit).collect()).collect();
        let expected: Vec<String> = unread.iter().filter_map(Value::as_str).map(str::to_owned).collect();
        if read != expected {
            wrong.push(format!("unread chats: read {read:?}, expected {expected:?}"));
        }
    }
    if let Some(restriction) = expect.get("restriction") {
        let read = reading.restriction.as_ref().map(|r| r.kind.as_str());
        if read != restriction["kind"].as_str() {
            wrong.push(format!("restriction: read {read:?}, expected {restriction}"));
        }
    }
    if let Some(qr) = expect["qr"].as_str() {
        if !matches!(&reading.screen, Screen::Qr { detail } if detail == qr) {
            wrong.push(format!("QR: read {:?}", reading.screen));
        }
    }
    if let Some(code) = expect["linkCode"].as_str() {
        let bare = |s: &str| s.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>();
        if !matches!(&reading.screen, Screen::LinkCode { detail } if bare(detail) == bare(code)) {
            wrong.push(format!("pairing code: read {:?}", reading.screen));
        }
    }
    wrong
}

#[tokio::test]
async fn every_capture_of_the_live_page_reads_as_its_header_says() {
    let captures = captures();
    assert!(captures.len() >= 12, "at least 12 captures, found {}", captures.len());
    let launcher = Launcher::start(DriverConfig::for_url(captures[0].url.clone())).await.expect("chromedriver starts");
    let profiles = tempfile::tempdir().unwrap();
    let session = launcher.inspect(&profiles.path().join("captures"), &captures[0].url).await.expect("Chromium opens");

    let mut failures = Vec::new();
    let mut matched_anywhere: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for capture in &captures {
        for key in ["capture", "source", "date", "language", "driver must"] {
            assert!(capture.headers.contains_key(key), "{}: the header names its {key}", capture.name);
        }
        session.load(&capture.url).await.unwrap();
        let reading = session.reading().await.unwrap_or_else(|e| panic!("{}: {e}", capture.name));
        for (hook, &index) in &reading.matched {
            let seen = matched_anywhere.entry(hook.clone()).or_default();
            if index >= 0 && !seen.contains(&index) {
                seen.push(index);
            }
        }
        let wrong = differences(&reading, &capture.expect);
        println!("{:<60} {}", capture.name, if wrong.is_empty() { "ok".into() } else { wrong.join("; ") });
        if !wrong.is_empty() {
            failures.push(format!("{} ({}): {}", capture.name, capture.headers["date"], wrong.join("; ")));
        }
    }
    println!("alternatives matched across the captures: {matched_anywhere:?}");
    session.close().await.unwrap();
    launcher.shutdown().await;
    assert!(failures.is_empty(), "the driver misreads captures of the live page:\n{}", failures.join("\n"));
    // The 2026 markup is what the captures show: its row and direction
    // alternatives are the ones that matched, not the old prefixes.
    assert!(matched_anywhere.get("message-row").is_some_and(|m| m.contains(&0)), "{matched_anywhere:?}");
}
