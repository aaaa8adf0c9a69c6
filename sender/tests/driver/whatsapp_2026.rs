//! What WhatsApp Web added in 2025–26, on the simulator's 2026 markup (each
//! part drawn from a capture of the live page, `sender/tests/captures/`):
//! the reach-out timelock that closes new chats, replies told apart from
//! our messages without `true_`/`false_` ids, the "What's new" dialog that
//! covers the app after a scan, and ticks read from WhatsApp's own state
//! when the page's icon drifts.

use std::time::Duration;

use sender::driver::{Limit, MessageStatus, SendError, SendOutcome};
use wa_simulator::{DeliveryStatus, Markup};

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
