//! Linking WhatsApp with a pairing code instead of the QR, end to end: the
//! API asks, the sender drives "Link with phone number", the code arrives
//! in the answer and as a `pairing_code` event (again when WhatsApp renews
//! it), the phone types it, and the campaign can start.

use std::time::Duration;

use reqwest::Method;
use serde_json::json;
use wa_simulator::{Markup, SimulatorConfig};

use crate::{
    campaign::{campaign_with, MESSAGE},
    stack::{events_until, Stack},
};

crate::on_every_markup!(a_pairing_code_links_whatsapp_and_the_campaign_sends);

async fn a_pairing_code_links_whatsapp_and_the_campaign_sends(markup: Markup) {
    // Codes renew every few seconds here, so the renewal shows in the test.
    let simulator = SimulatorConfig {
        delivery_delay: Duration::from_millis(100),
        pairing_code_refresh: Duration::from_secs(8),
        ..SimulatorConfig::quick(markup)
    };
    let mut stack = Stack::with_simulator(simulator).await;
    stack.spawn_sender("solo");
    let token = stack.customer_with_package().await;
    // A pairing code is given only for the user's own number: this one,
    // proven at sign-up (the proof itself is tested in functions' API tests).
    sqlx::query("UPDATE users SET phone = '989121234567', phone_verified_at = CURRENT_TIMESTAMP(3)")
        .execute(&stack.db)
        .await
        .unwrap();
    let (id, phones) = campaign_with(&stack, &token, 2, false).await;
    let mut socket = stack.websocket(id, &token).await;

    let (status, refused) = stack
        .call(Method::POST, &format!("/api/campaigns/{id}/pairing-code"), &token, Some(json!({"phone": "12"})))
        .await;
    assert_eq!((status, refused["errors"][0]["field"].as_str()), (400, Some("phone")), "{refused}");

    let path = format!("/api/campaigns/{id}/pairing-code");
    let (status, answer) = stack.call(Method::POST, &path, &token, Some(json!({"phone": "0912 123 4567"}))).await;
    assert_eq!(status, 200, "{answer}");
    let code = answer["code"].as_str().unwrap().to_owned();
    assert!(code.len() == 9 && code.as_bytes()[4] == b'-', "XXXX-XXXX: {code}");
    assert!(answer["expiresAt"].as_str().unwrap().ends_with('Z'), "{answer}");
    let events = events_until(&mut socket, "pairing_code", Duration::from_secs(20)).await;
    let event = &events.last().unwrap()["data"];
    assert_eq!((event["code"].as_str(), event["expiresAt"].is_string()), (Some(code.as_str()), true), "{event}");
    assert!(event["timestamp"].is_string());

    // WhatsApp renews the code; the new one is pushed and is the one to type.
    let renewed = events_until(&mut socket, "pairing_code", Duration::from_secs(30)).await;
    let renewed = renewed.last().unwrap()["data"]["code"].as_str().unwrap().to_owned();
    assert_ne!(renewed, code);
    stack.simulator.control().pair(&renewed, "989121234567").await.expect("the phone types the code");
    let ready = events_until(&mut socket, "status_update", Duration::from_secs(30)).await;
    assert_eq!(ready.last().unwrap()["data"]["status"], "ready");

    let (status, started) = stack.call(Method::POST, &format!("/api/campaigns/{id}/start"), &token, None).await;
    assert_eq!(status, 200, "{started}");
    let done = events_until(&mut socket, "completion_update", Duration::from_secs(120)).await;
    assert_eq!(done.last().unwrap()["data"]["report"]["sentCount"].as_i64(), Some(2));
    let messages = stack.simulator.control().messages(None).await.unwrap();
    assert_eq!(messages.len(), phones.len());
    assert!(messages.iter().all(|m| m.from == "989121234567" && m.text.as_deref() == Some(MESSAGE)));
}
