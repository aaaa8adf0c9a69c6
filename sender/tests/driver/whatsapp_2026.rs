//! What WhatsApp Web added in 2025–26, on the simulator's 2026 markup (each
//! part drawn from a capture of the live page, `sender/tests/captures/`):
//! the reach-out timelock that closes new chats, replies told apart from
//! our messages without `true_`/`false_` ids, the "What's new" dialog that
//! covers the app after a scan, ticks read from WhatsApp's own state
//! when the page's icon drifts, and WhatsApp's own new-chat message cap.

use std::{collections::BTreeMap, path::PathBuf, time::Duration};

use chrono::DateTime;
use sender::driver::{Limit, MessageStatus, NewChatQuota, QuotaStatus, SendError, SendOutcome, WhatsAppSession};
use serde_json::Value;
use url::Url;
use wa_simulator::{CappingStatus, DeliveryStatus, Markup};

use crate::helpers::{phone, Harness};

/// The number the simulator's QR scan links.
const ACCOUNT: &str = "989000000000";

#[tokio::test]
async fn the_timelock_closes_new_chats_only_and_nothing_is_typed_there() {
    let harness = Harness::start(Markup::M2026).await;
    let session = harness.logged_in("timelock").await;
    // "What's new" covers the app after the scan; out of the way first, so
    // that what covers it later can only be the timelock's own dialog.
    assert!(session.dismiss_covering_dialog().await.unwrap());
    let regular = phone("989121110001");
    let stranger = phone("989121110002");
    harness.control.inbound(regular.as_str(), ACCOUNT, "hello, is this the shop?").await.unwrap();
    let ends = chrono::Utc::now() + chrono::TimeDelta::hours(3);
    harness.control.timelock(ACCOUNT, Some(ends)).await.unwrap();

    // Its end shows only in "Show details": read there, the dialog closed again.
    let outcome = session.send_text(&stranger, "a first message").await.unwrap();
    let SendOutcome::NewChatsRestricted { until: Some(until) } = outcome else { panic!("{outcome:?}") };
    assert!((until - ends).num_seconds().abs() <= 5, "read {until}, ends {ends}");
    assert!(!session.reading().await.unwrap().covered, "the details dialog is closed");
    assert!(matches!(session.restriction().await.unwrap(), Some(Limit::NewChats { .. })));
    let outcome = session.send_text(&regular, "an answer").await.unwrap();
    assert!(matches!(outcome, SendOutcome::Sent { .. }), "{outcome:?}");

    let received = harness.control.messages(None).await.unwrap();
    assert_eq!(received.len(), 1, "only the one who wrote first: {received:?}");
    assert_eq!(received[0].to, regular.as_str());

    // Lifted: the stranger's chat has its compose box again.
    harness.control.timelock(ACCOUNT, None).await.unwrap();
    let outcome = session.send_text(&stranger, "a first message").await.unwrap();
    assert!(matches!(outcome, SendOutcome::Sent { .. }), "{outcome:?}");
    assert_eq!(session.restriction().await.unwrap(), None);
    session.close().await.unwrap();
    harness.finish().await;
}

#[tokio::test]
async fn replies_are_the_rows_after_ours_that_carry_no_tick() {
    let harness = Harness::start(Markup::M2026).await;
    let session = harness.logged_in("replies").await;
    let to = phone("989121110003");
    harness.control.inbound(to.as_str(), ACCOUNT, "written before our message").await.unwrap();
    assert!(matches!(session.send_text(&to, "our message").await.unwrap(), SendOutcome::Sent { .. }));
    harness.control.reply(to.as_str(), "first answer").await.unwrap();
    harness.control.reply(to.as_str(), "second answer").await.unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let texts = loop {
        let (_, replies) = session.open_chat_replies().await.unwrap().expect("the chat is open");
        let texts: Vec<String> = replies.into_iter().map(|m| m.text).collect();
        if texts.len() >= 2 || std::time::Instant::now() > deadline {
            break texts;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(texts, ["first answer", "second answer"], "what came before ours is no reply");
    session.close().await.unwrap();
    harness.finish().await;
}

#[tokio::test]
async fn the_whats_new_dialog_after_a_scan_is_dismissed_before_the_first_click() {
    let harness = Harness::start(Markup::M2026).await;
    let session = harness.logged_in("covered").await;
    let covered = async { session.reading().await.unwrap().covered };
    assert!(covered.await, "WhatsApp covers the app after a scan");
    let to = phone("989121110004");
    let outcome = session.send_text(&to, "past the dialog").await.unwrap();
    assert!(matches!(outcome, SendOutcome::Sent { .. }), "{outcome:?}");
    assert!(!session.reading().await.unwrap().covered, "dismissed");
    assert_eq!(harness.control.messages(Some(to.as_str())).await.unwrap().len(), 1);
    session.close().await.unwrap();
    harness.finish().await;
}

/// Where WhatsApp's modules are reachable (2025–26 builds), a tick icon
/// that no alternative knows any more is read from the message's own
/// record; on a page without them it is drift, named, as before.
#[tokio::test]
async fn a_drifted_tick_icon_is_read_from_whatsapps_own_state() {
    let harness = Harness::start(Markup::M2026).await;
    let session = harness.logged_in("state").await;
    let to = phone("989121110005");
    harness.control.drift("ticks").await.unwrap();
    let outcome = session.send_text(&to, "ticks from the state").await.unwrap();
    assert!(matches!(outcome, SendOutcome::Sent { .. }), "{outcome:?}");
    assert_eq!(session.message_status(&to).await.unwrap(), Some(MessageStatus::Sent));
    harness.control.receipts(to.as_str(), DeliveryStatus::Read).await.unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while session.message_status(&to).await.unwrap() != Some(MessageStatus::Read) {
        assert!(std::time::Instant::now() < deadline, "the read receipt never showed in the state");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    session.close().await.unwrap();
    harness.finish().await;

    let harness = Harness::start(Markup::Legacy).await;
    let session = harness.logged_in("no-state").await;
    harness.control.drift("ticks").await.unwrap();
    let err = session.send_text(&to, "no state to read").await.unwrap_err();
    assert!(matches!(err, SendError::HookMissing { hook: "ticks", may_have_been_sent: true }), "{err}");
    session.close().await.unwrap();
    harness.finish().await;
}

/// The quota reading once it is `wanted` (the page learns of a change at
/// its next poll of the server); the last reading when it never is.
async fn quota_until(
    session: &WhatsAppSession,
    wanted: impl Fn(&Option<NewChatQuota>) -> bool,
) -> Option<NewChatQuota> {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let read = session.new_chat_quota().await.unwrap();
        if wanted(&read) || std::time::Instant::now() > deadline {
            return read;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn whatsapps_new_chat_quota_is_read_once_reported_and_counts_messages_to_strangers() {
    let harness = Harness::start(Markup::M2026).await;
    let session = harness.logged_in("quota").await;
    assert_eq!(session.new_chat_quota().await.unwrap(), None, "no cap before the server reports one");

    let ends = DateTime::parse_from_rfc3339("2026-10-01T00:00:00Z").unwrap().to_utc();
    harness.control.quota(ACCOUNT, 14, 20, CappingStatus::FirstWarning, Some(ends)).await.unwrap();
    let expected = NewChatQuota { status: QuotaStatus::FirstWarning, used: 14, total: 20, cycle_ends_at: Some(ends) };
    assert_eq!(quota_until(&session, Option::is_some).await, Some(expected));

    let stranger = phone("989121110006");
    let outcome = session.send_text(&stranger, "a first message").await.unwrap();
    assert!(matches!(outcome, SendOutcome::Sent { .. }), "{outcome:?}");
    let counted = quota_until(&session, |q| q.is_some_and(|q| q.used == 15)).await;
    assert_eq!(counted, Some(NewChatQuota { used: 15, ..expected }), "a message to someone who never wrote counts");
    session.close().await.unwrap();
    harness.finish().await;
}

#[tokio::test]
async fn a_page_without_the_capping_module_has_no_quota_reading() {
    let harness = Harness::start(Markup::M2025).await;
    let session = harness.logged_in("no-quota").await;
    harness.control.quota(ACCOUNT, 14, 20, CappingStatus::FirstWarning, None).await.unwrap();
    // Longer than the page takes to learn of it, had it a place to keep it.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(session.new_chat_quota().await.unwrap(), None);
    session.close().await.unwrap();
    harness.finish().await;
}

/// WhatsApp's capping module as the evidence shows it
/// (`sender/tests/captures/new-chat-capping.js.txt`), loaded with a
/// stand-in of WhatsApp's module system and its user prefs holding the
/// header's `record`: the driver must read what the header `expect`s.
#[tokio::test]
async fn the_quota_reads_from_whatsapps_capping_module_as_the_evidence_shows_it() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/captures/new-chat-capping.js.txt");
    let module = std::fs::read_to_string(&path).unwrap();
    let header = module.trim_start().strip_prefix("/*").and_then(|rest| rest.split_once("*/")).expect("a header").0;
    let headers: BTreeMap<&str, &str> =
        header.lines().filter_map(|line| line.split_once(": ")).map(|(k, v)| (k.trim(), v.trim())).collect();
    for key in ["capture", "source", "date", "driver must", "record", "expect"] {
        assert!(headers.contains_key(key), "the header names its {key}");
    }
    let expect: Value = serde_json::from_str(headers["expect"]).unwrap();
    let page = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>WhatsApp</title></head><body>\
         <script>{}</script><script>{module}</script></body></html>",
        MODULE_SYSTEM.replace("RECORD", headers["record"])
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("new-chat-capping.html");
    std::fs::write(&file, page).unwrap();

    let harness = Harness::start(Markup::M2026).await;
    let url = Url::from_file_path(&file).unwrap();
    let session = harness.launcher.inspect(&harness.profile("evidence"), &url).await.unwrap();
    let read = session.new_chat_quota().await.unwrap();
    let want = &expect["quota"];
    let expected = NewChatQuota {
        status: serde_json::from_value(want["status"].clone()).unwrap(),
        used: want["used"].as_u64().unwrap().try_into().unwrap(),
        total: want["total"].as_u64().unwrap().try_into().unwrap(),
        cycle_ends_at: want["cycleEndsAt"].as_i64().and_then(DateTime::from_timestamp_millis),
    };
    assert_eq!(read, Some(expected));
    session.close().await.unwrap();
    harness.finish().await;
}

/// Just enough of WhatsApp's module system for the evidence to run:
/// `__d(name, deps, factory)` registers a module, `window.require(name)`
/// runs its factory once as the bundles do (`function (t, n, r, o, a, i,
/// l)`, exports in `l`); the user prefs hold `RECORD` under the capping
/// key, and the types module casts the status spellings.
const MODULE_SYSTEM: &str = r#"
(() => {
  const record = RECORD;
  const statuses = ['NONE', 'FIRST_WARNING', 'SECOND_WARNING', 'CAPPED'];
  const StatusType = Object.fromEntries(statuses.map((s) => [s, s]));
  StatusType.cast = (value) => (statuses.includes(value) ? value : undefined);
  const loaded = {
    WATimeUtils: { unixTime: () => Math.floor(Date.now() / 1000) },
    WAWebUserPrefsIndexedDBStorage: {
      userPrefsIdb: { get: (key) => (key === 'WANewChatMessageCappingData' ? record : undefined) },
    },
    WAWebUserPrefsTypes: { NewChatMessageCappingStatusType: StatusType },
  };
  const factories = {};
  function require(name) {
    if (name in loaded) return loaded[name];
    if (!(name in factories)) throw new Error(`Requiring unknown module "${name}"`);
    const exports = {};
    loaded[name] = exports;
    factories[name](window, require, require, require, { exports }, exports, exports);
    return exports;
  }
  window.__d = (name, deps, factory) => { factories[name] = factory; };
  window.require = require;
})();
"#;
