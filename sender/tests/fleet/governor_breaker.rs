//! The breaker with the real sender, Chromium and the simulator: each trip
//! pauses with its reason and an `error_update`, and resuming works once
//! the cause is gone. Plus numbers remembered as not on WhatsApp.

use std::time::Duration;

use reqwest::Method;
use serde_json::json;

use crate::{
    campaign::connect_whatsapp,
    governor::{campaign, start, text_campaign},
    stack::{events_until, eventually, Stack},
};

async fn resume(stack: &Stack, token: &str, id: i64) {
    let (status, body) = stack.call(Method::POST, &format!("/api/campaigns/{id}/resume"), token, None).await;
    assert_eq!(status, 200, "{body}");
}

/// The `error_update` the breaker pushed; its text.
async fn breaker_error(socket: &mut crate::stack::Socket) -> String {
    let events = events_until(socket, "error_update", Duration::from_secs(120)).await;
    events.last().unwrap()["data"]["error"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn five_unconfirmed_sends_in_a_row_pause_the_campaign_until_resumed() {
    let mut stack = Stack::start().await;
    stack.set_sender_env("WHATSAPP_SEND_TIMEOUT_MS", "1500");
    stack.spawn_sender("solo");
    let token = stack.customer_with_package().await;
    let (id, _) = text_campaign(&stack, &token, 6_000, 8, json!({})).await;
    let mut socket = stack.websocket(id, &token).await;
    connect_whatsapp(&stack, &token, id, &mut socket).await;
    stack.simulator.control().stall(true).await.unwrap();
    start(&stack, &token, id).await;

    let error = breaker_error(&mut socket).await;
    assert!(error.contains("5 messages in a row"), "{error}");
    let shown = campaign(&stack, &token, id).await;
    assert_eq!(shown["status"], "PAUSED", "{shown}");
    assert_eq!(shown["failureReason"].as_str(), Some(error.as_str()));
    assert_eq!(shown["failedCount"], 5, "{shown}");
    let (_, accounts) = stack.call(Method::GET, "/api/whatsapp-accounts", &token, None).await;
    assert!(accounts["accounts"][0]["lastBreaker"]["reason"].as_str().unwrap().contains("in a row"), "{accounts}");

    // WhatsApp confirms again: resuming sends the rest.
    stack.simulator.control().stall(false).await.unwrap();
    resume(&stack, &token, id).await;
    let events = events_until(&mut socket, "completion_update", Duration::from_secs(120)).await;
    assert_eq!(events.last().unwrap()["data"]["report"]["sentCount"], 3);
}

#[tokio::test]
async fn a_list_mostly_not_on_whatsapp_pauses_the_campaign_and_those_numbers_are_remembered() {
    let mut stack = Stack::start().await;
    stack.spawn_sender("solo");
    let token = stack.customer_with_package().await;
    let (id, phones) = text_campaign(&stack, &token, 7_000, 14, json!({})).await;
    let (absent, present) = phones.split_at(12);
    for phone in absent {
        stack.simulator.control().not_on_whatsapp(phone).await.unwrap();
    }
    let mut socket = stack.websocket(id, &token).await;
    connect_whatsapp(&stack, &token, id, &mut socket).await;
    start(&stack, &token, id).await;

    let error = breaker_error(&mut socket).await;
    assert!(error.contains("not on WhatsApp") && error.contains("spam"), "{error}");
    let shown = campaign(&stack, &token, id).await;
    assert_eq!((shown["status"].as_str(), shown["failedCount"].as_i64()), (Some("PAUSED"), Some(11)), "{shown}");

    // The user decides to go on: the rest is handled.
    resume(&stack, &token, id).await;
    let events = events_until(&mut socket, "completion_update", Duration::from_secs(120)).await;
    assert_eq!(events.last().unwrap()["data"]["report"]["sentCount"], 2);

    // A later campaign of the same owner skips the numbers found absent.
    let (later, _) = text_campaign(&stack, &token, 7_010, 4, json!({})).await;
    let mut later_socket = stack.websocket(later, &token).await;
    connect_whatsapp(&stack, &token, later, &mut later_socket).await;
    start(&stack, &token, later).await;
    events_until(&mut later_socket, "completion_update", Duration::from_secs(120)).await;
    let rows: Vec<(String, String, Option<String>)> =
        sqlx::query_as("SELECT phone, status, error FROM recipients WHERE campaign_id = ? ORDER BY phone")
            .bind(later)
            .fetch_all(&stack.db)
            .await
            .unwrap();
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    for (phone, status, error) in rows {
        if present.contains(&phone) {
            assert!(status == "SENT" || status == "DELIVERED", "{phone}: {status}");
        } else {
            assert_eq!(status, "FAILED", "{phone}");
            let error = error.unwrap_or_default();
            assert!(error.contains("not on WhatsApp") && error.contains(&today), "{phone}: {error}");
        }
    }
}

#[tokio::test]
async fn a_restriction_notice_pauses_every_campaign_of_the_number() {
    let mut stack = Stack::start().await;
    stack.spawn_sender("solo");
    let token = stack.customer_with_package().await;
    let (first, _) = text_campaign(&stack, &token, 8_000, 10, json!({})).await;
    let (second, _) = text_campaign(&stack, &token, 8_100, 10, json!({})).await;
    let mut first_socket = stack.websocket(first, &token).await;
    let mut second_socket = stack.websocket(second, &token).await;
    connect_whatsapp(&stack, &token, first, &mut first_socket).await;
    connect_whatsapp(&stack, &token, second, &mut second_socket).await;
    start(&stack, &token, first).await;
    start(&stack, &token, second).await;
    eventually("a few messages out", Duration::from_secs(60), || async {
        (stack.simulator.control().messages(None).await.ok()?.len() >= 2).then_some(())
    })
    .await;
    stack.simulator.control().restrict(wa_simulator::DEFAULT_ACCOUNT, 24).await.unwrap();

    for socket in [&mut first_socket, &mut second_socket] {
        let error = breaker_error(socket).await;
        assert!(error.contains("restricted"), "{error}");
    }
    for id in [first, second] {
        let shown = campaign(&stack, &token, id).await;
        assert_eq!(shown["status"], "PAUSED", "{shown}");
        assert!(shown["failureReason"].as_str().unwrap().contains("restricted"), "{shown}");
    }
    let (_, accounts) = stack.call(Method::GET, "/api/whatsapp-accounts", &token, None).await;
    let restricted_until = accounts["accounts"][0]["restrictedUntil"].as_str().expect("restrictedUntil").to_owned();
    let until = chrono::DateTime::parse_from_rfc3339(&restricted_until).unwrap();
    let hours = (until.with_timezone(&chrono::Utc) - chrono::Utc::now()).num_minutes() as f64 / 60.0;
    assert!((23.0..=24.1).contains(&hours), "the notice's 24 hours: {hours}");

    // WhatsApp lifts it: both resume and finish.
    stack.simulator.control().restrict(wa_simulator::DEFAULT_ACCOUNT, 0).await.unwrap();
    // The pages drop the notice at their next poll.
    tokio::time::sleep(Duration::from_secs(2)).await;
    resume(&stack, &token, first).await;
    resume(&stack, &token, second).await;
    events_until(&mut first_socket, "completion_update", Duration::from_secs(180)).await;
    events_until(&mut second_socket, "completion_update", Duration::from_secs(180)).await;
}
