//! WhatsApp's reach-out timelock (2026): after too many messages to new
//! contacts, chats with people who never wrote show a restriction bar
//! instead of the compose box, until it lifts by itself. A campaign under it
//! still messages those who wrote first, keeps everyone else waiting
//! (`WHATSAPP_TIMELOCK`) without failing or retrying them, and messages them
//! once the timelock is gone — nobody twice, nobody lost.

use std::time::Duration;

use reqwest::Method;
use wa_simulator::Markup;

use crate::{
    campaign::{connect_whatsapp, received_counts},
    governor::{campaign, start, text_campaign, waiting_event},
    stack::{events_until, eventually, Stack},
};

/// The number the simulator's QR scan links.
const ACCOUNT: &str = "989000000000";

/// The timelock bar is 2026 markup (`reachout-timelock-compose-bar`, capture
/// 14); older builds had no such bar.
#[tokio::test]
async fn the_timelock_holds_new_chats_while_a_contact_who_wrote_first_gets_the_message() {
    let mut stack = Stack::with_markup(Markup::M2026).await;
    // The timelock ends by itself at a time only its "Show details" dialog
    // counts down to; a minute in a test.
    stack.spawn_sender("solo");
    let token = stack.customer_with_package().await;
    let (id, phones) = text_campaign(&stack, &token, 7_100, 3, serde_json::json!({})).await;
    let mut socket = stack.websocket(id, &token).await;
    connect_whatsapp(&stack, &token, id, &mut socket).await;

    // The middle recipient wrote to the number first; then WhatsApp closes new chats.
    let (stranger, regular, other_stranger) = (&phones[0], &phones[1], &phones[2]);
    let control = stack.simulator.control();
    control.inbound(regular, ACCOUNT, "سلام، قیمت؟").await.unwrap();
    let ends = chrono::Utc::now() + chrono::TimeDelta::seconds(40);
    control.timelock(ACCOUNT, Some(ends)).await.unwrap();
    start(&stack, &token, id).await;

    let waiting = waiting_event(&mut socket, Duration::from_secs(60)).await;
    assert_eq!(waiting["reason"], "WHATSAPP_TIMELOCK", "{waiting}");
    let until = chrono::DateTime::parse_from_rfc3339(waiting["waitingUntil"].as_str().unwrap()).unwrap();
    assert!((until.to_utc() - ends).num_seconds().abs() <= 5, "waits until the timelock's end: {until} vs {ends}");
    eventually("the one who wrote first gets it", Duration::from_secs(30), || async {
        (received_counts(&stack).await.get(regular.as_str()) == Some(&1)).then_some(())
    })
    .await;
    let counts = received_counts(&stack).await;
    assert_eq!(counts.get(stranger.as_str()), None, "{counts:?}");
    assert_eq!(counts.get(other_stranger.as_str()), None, "{counts:?}");
    let shown = campaign(&stack, &token, id).await;
    assert_eq!((shown["status"].as_str(), shown["waitReason"].as_str()), (Some("RUNNING"), Some("WHATSAPP_TIMELOCK")));
    let statuses: Vec<(String, String)> =
        sqlx::query_as("SELECT phone, status FROM recipients WHERE campaign_id = ? ORDER BY id")
            .bind(id)
            .fetch_all(&stack.db)
            .await
            .unwrap();
    let pending = statuses.iter().filter(|(_, s)| s == "PENDING").count();
    assert_eq!(pending, 2, "held back, not failed: {statuses:?}");
    let (_, accounts) = stack.call(Method::GET, "/api/whatsapp-accounts", &token, None).await;
    assert!(accounts["accounts"][0]["timelockUntil"].is_string(), "{accounts}");

    // It lifts by itself: the rest go out, once each, none before the end.
    let events = events_until(&mut socket, "completion_update", Duration::from_secs(120)).await;
    assert_eq!(events.last().unwrap()["data"]["report"]["sentCount"], 3, "{:?}", events.last());
    let messages = control.messages(None).await.unwrap();
    let counts = received_counts(&stack).await;
    for phone in &phones {
        assert_eq!(counts.get(phone.as_str()), Some(&1), "{phone}: {counts:?}");
    }
    for message in messages.iter().filter(|m| m.to != *regular) {
        assert!(message.sent_at >= ends, "{} went out at {} before the end {ends}", message.to, message.sent_at);
    }
    eventually("no wait left", Duration::from_secs(5), || async {
        campaign(&stack, &token, id).await["waitReason"].is_null().then_some(())
    })
    .await;
}
