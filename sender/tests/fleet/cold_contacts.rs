//! The governor's cold-contact rules end to end (issue 24): people who
//! wrote to the number (warm) go first and are never held back; everyone
//! else (cold) is limited by the number's daily cold budget, WhatsApp's
//! timelock and WhatsApp's own new-chat quota — waiting, never failed,
//! never retried, and never a reason to restart or re-link the session.

use std::time::Duration;

use reqwest::Method;
use serde_json::{json, Value};
use wa_simulator::{CappingStatus, Markup};

use crate::{
    campaign::{connect_whatsapp, received_counts},
    governor::{campaign, start, text_campaign, waiting_event},
    stack::{eventually, Socket, Stack},
};

/// The number the simulator's QR scan links.
const ACCOUNT: &str = "989000000000";

async fn statuses(stack: &Stack, id: i64) -> Vec<(String, String)> {
    sqlx::query_as("SELECT phone, status FROM recipients WHERE campaign_id = ? ORDER BY id")
        .bind(id)
        .fetch_all(&stack.db)
        .await
        .unwrap()
}

/// How many are at `status` (`SENT` counts the delivered and read too).
fn count(statuses: &[(String, String)], status: &str) -> usize {
    let went = |s: &str| ["SENT", "DELIVERED", "READ"].contains(&s);
    statuses.iter().filter(|(_, s)| s == status || (status == "SENT" && went(s))).count()
}

async fn number(stack: &Stack, token: &str) -> Value {
    let (status, accounts) = stack.call(Method::GET, "/api/whatsapp-accounts", token, None).await;
    assert_eq!(status, 200, "{accounts}");
    accounts["accounts"][0].clone()
}

/// Events until a `status_update` waiting for `reason` (earlier waits, e.g.
/// for another rule, are passed over).
async fn waiting_for(socket: &mut Socket, reason: &str, wait: Duration) -> Value {
    let deadline = std::time::Instant::now() + wait;
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        let waiting = waiting_event(socket, left).await;
        if waiting["reason"] == reason {
            return waiting;
        }
    }
}

#[tokio::test]
async fn a_new_number_sends_twenty_messages_a_day_to_strangers_and_still_answers_who_wrote() {
    let mut stack = Stack::start().await;
    stack.set_sender_env("GOVERNOR_COLD_DAILY_CAP", "20,40");
    // The warm-up ramp would stop all messages at 20 too: here only the cold budget counts.
    stack.set_sender_env("GOVERNOR_WARM_UP_RAMP", "none");
    stack.spawn_sender("solo");
    let token = stack.customer_with_package().await;
    let (id, phones) = text_campaign(&stack, &token, 8_100, 26, json!({})).await;
    let mut socket = stack.websocket(id, &token).await;
    connect_whatsapp(&stack, &token, id, &mut socket).await;
    // The last one on the list wrote to the number before the campaign.
    let regular = &phones[25];
    stack.simulator.control().inbound(regular, ACCOUNT, "سلام").await.unwrap();
    start(&stack, &token, id).await;

    let waiting = waiting_for(&mut socket, "COLD_CONTACT_LIMIT", Duration::from_secs(240)).await;
    let until = chrono::DateTime::parse_from_rfc3339(waiting["waitingUntil"].as_str().unwrap()).unwrap().to_utc();
    let later = until - chrono::Utc::now();
    assert!(later > chrono::TimeDelta::hours(23), "room again a day after the first cold message: {until}");
    let statuses = statuses(&stack, id).await;
    assert_eq!((count(&statuses, "SENT"), count(&statuses, "PENDING")), (21, 5), "{statuses:?}");
    assert_eq!(count(&statuses, "FAILED"), 0, "{statuses:?}");

    let mut arrivals = stack.simulator.control().messages(None).await.unwrap();
    arrivals.sort_by_key(|m| m.sent_at);
    assert_eq!(arrivals[0].to, *regular, "who wrote first is sent to first");
    assert!(received_counts(&stack).await.values().all(|&n| n == 1), "nobody twice");
    let shown = campaign(&stack, &token, id).await;
    assert_eq!((shown["status"].as_str(), shown["waitReason"].as_str()), (Some("RUNNING"), Some("COLD_CONTACT_LIMIT")));
    let number = number(&stack, &token).await;
    assert_eq!(number["coldToday"], 20, "{number}");
    assert_eq!(number["sentToday"], 21, "{number}");

    let (_, listed) = stack.call(Method::GET, &format!("/api/campaigns/{id}/recipients?limit=100"), &token, None).await;
    let kinds: Vec<(&str, &str)> = listed["recipients"]
        .as_array()
        .unwrap_or_else(|| panic!("{listed}"))
        .iter()
        .map(|r| (r["phone"].as_str().unwrap(), r["contactKind"].as_str().unwrap()))
        .collect();
    assert!(kinds.contains(&(regular.as_str(), "warm")), "{kinds:?}");
    assert_eq!(kinds.iter().filter(|(_, kind)| *kind == "cold").count(), 25, "{kinds:?}");
}

#[tokio::test]
async fn a_timelock_mid_campaign_holds_strangers_while_who_wrote_gets_the_message_and_nothing_relinks() {
    let mut stack = Stack::with_markup(Markup::M2026).await;
    let sender = stack.spawn_sender("solo");
    let token = stack.customer_with_package().await;
    let (id, phones) = text_campaign(&stack, &token, 8_300, 6, json!({})).await;
    let mut socket = stack.websocket(id, &token).await;
    connect_whatsapp(&stack, &token, id, &mut socket).await;
    let control = stack.simulator.control();
    let devices = control.devices().await.unwrap();
    start(&stack, &token, id).await;

    eventually("two messages out", Duration::from_secs(60), || async {
        (control.messages(None).await.unwrap().len() >= 2).then_some(())
    })
    .await;
    // The last one on the list writes; then WhatsApp closes new chats for an hour.
    let regular = &phones[5];
    control.inbound(regular, ACCOUNT, "هنوز هست؟").await.unwrap();
    let ends = chrono::Utc::now() + chrono::TimeDelta::hours(1);
    control.timelock(ACCOUNT, Some(ends)).await.unwrap();

    let waiting = waiting_for(&mut socket, "WHATSAPP_TIMELOCK", Duration::from_secs(60)).await;
    let until = chrono::DateTime::parse_from_rfc3339(waiting["waitingUntil"].as_str().unwrap()).unwrap().to_utc();
    assert!((until - ends).num_seconds().abs() <= 5, "waits until the timelock's end: {until} vs {ends}");
    eventually("the one who wrote gets it", Duration::from_secs(60), || async {
        (received_counts(&stack).await.get(regular.as_str()) == Some(&1)).then_some(())
    })
    .await;
    let statuses = statuses(&stack, id).await;
    assert_eq!(count(&statuses, "FAILED"), 0, "nobody failed: {statuses:?}");
    let sent = count(&statuses, "SENT");
    assert!((3..=4).contains(&sent), "two or three strangers before the lock, and who wrote: {statuses:?}");
    assert_eq!(count(&statuses, "PENDING"), 6 - sent, "the other strangers wait: {statuses:?}");
    assert!(received_counts(&stack).await.values().all(|&n| n == 1), "nobody twice");
    let shown = campaign(&stack, &token, id).await;
    assert_eq!(shown["status"], "RUNNING", "{shown}");
    let number = number(&stack, &token).await;
    assert_eq!(number["isConnected"], true, "{number}");
    assert!(number["timelockUntil"].is_string(), "{number}");
    assert_eq!(control.devices().await.unwrap(), devices, "the same device: never logged out or linked again");
    let log = stack.sender_log(&sender);
    assert_eq!(log.matches("session starting").count(), 1, "never restarted");
}

#[tokio::test]
async fn whatsapps_first_warning_on_its_new_chat_quota_stops_cold_sends() {
    let mut stack = Stack::with_markup(Markup::M2026).await;
    stack.spawn_sender("solo");
    let token = stack.customer_with_package().await;
    let (id, phones) = text_campaign(&stack, &token, 8_500, 4, json!({})).await;
    let mut socket = stack.websocket(id, &token).await;
    connect_whatsapp(&stack, &token, id, &mut socket).await;
    let control = stack.simulator.control();
    let regular = &phones[2];
    control.inbound(regular, ACCOUNT, "سلام").await.unwrap();
    let cycle_ends = chrono::Utc::now() + chrono::TimeDelta::days(20);
    control.quota(ACCOUNT, 9, 20, CappingStatus::FirstWarning, Some(cycle_ends)).await.unwrap();
    start(&stack, &token, id).await;

    let waiting = waiting_for(&mut socket, "WHATSAPP_QUOTA", Duration::from_secs(60)).await;
    assert!(waiting["message"].as_str().unwrap().contains("WhatsApp"), "{waiting}");
    eventually("the one who wrote gets it", Duration::from_secs(60), || async {
        (received_counts(&stack).await.get(regular.as_str()) == Some(&1)).then_some(())
    })
    .await;
    let counts = received_counts(&stack).await;
    assert_eq!(counts.len(), 1, "no stranger was messaged: {counts:?}");
    let statuses = statuses(&stack, id).await;
    assert_eq!((count(&statuses, "PENDING"), count(&statuses, "FAILED")), (3, 0), "{statuses:?}");
    let quota = number(&stack, &token).await["whatsappQuota"].clone();
    assert_eq!((quota["status"].as_str(), quota["used"].as_u64()), (Some("FIRST_WARNING"), Some(9)), "{quota}");
}
