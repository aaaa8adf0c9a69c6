//! Steering a campaign while it sends: a pause stops the messages, a resume
//! finishes them with each phone messaged once, and a logout on the phone
//! pauses the campaign with an error the user sees.

use std::time::Duration;

use reqwest::Method;

use crate::{
    campaign::{campaign_with_recipients, connect_whatsapp, received_counts},
    stack::{events_until, eventually, Stack},
};

async fn sent_count(stack: &Stack, id: i64) -> Option<i32> {
    sqlx::query_scalar("SELECT sent_count FROM campaigns WHERE id = ?").bind(id).fetch_one(&stack.db).await.ok()
}

async fn received(stack: &Stack) -> usize {
    stack.simulator.control().messages(None).await.unwrap().len()
}

async fn status(stack: &Stack, token: &str, id: i64) -> String {
    let (_, campaign) = stack.call(Method::GET, &format!("/api/campaigns/{id}"), token, None).await;
    campaign["campaign"]["status"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_pause_stops_the_messages_and_a_resume_finishes_them_once() {
    let mut stack = Stack::start().await;
    stack.spawn_sender("solo");
    let token = stack.customer_with_package().await;
    let (id, phones) = campaign_with_recipients(&stack, &token, 8).await;
    let mut socket = stack.websocket(id, &token).await;
    connect_whatsapp(&stack, &token, id, &mut socket).await;
    let (code, _) = stack.call(Method::POST, &format!("/api/campaigns/{id}/start"), &token, None).await;
    assert_eq!(code, 200);
    eventually("two messages out", Duration::from_secs(60), || async {
        (sent_count(&stack, id).await? >= 2).then_some(())
    })
    .await;

    let (code, paused) = stack.call(Method::POST, &format!("/api/campaigns/{id}/pause"), &token, None).await;
    assert_eq!((code, paused["campaign"]["status"].as_str()), (200, Some("PAUSED")), "{paused}");
    // A message already leaving may still arrive; after that, nothing.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let at_pause = received(&stack).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(received(&stack).await, at_pause, "no message while paused");
    assert!(at_pause < phones.len(), "paused before the end");
    assert_eq!(status(&stack, &token, id).await, "PAUSED");

    let (code, resumed) = stack.call(Method::POST, &format!("/api/campaigns/{id}/resume"), &token, None).await;
    assert_eq!(code, 200, "{resumed}");
    let events = events_until(&mut socket, "completion_update", Duration::from_secs(120)).await;
    let report = &events.last().unwrap()["data"]["report"];
    assert_eq!(report["sentCount"].as_i64(), Some(8), "{report}");
    let counts = received_counts(&stack).await;
    for phone in &phones {
        assert_eq!(counts.get(phone).copied(), Some(1), "{phone} is messaged exactly once");
    }
    assert_eq!(status(&stack, &token, id).await, "COMPLETED");
}

crate::on_every_markup!(a_logout_on_the_phone_pauses_the_campaign_with_an_error);

async fn a_logout_on_the_phone_pauses_the_campaign_with_an_error(markup: wa_simulator::Markup) {
    let mut stack = Stack::with_markup(markup).await;
    stack.spawn_sender("solo");
    let token = stack.customer_with_package().await;
    let (id, phones) = campaign_with_recipients(&stack, &token, 10).await;
    let mut socket = stack.websocket(id, &token).await;
    connect_whatsapp(&stack, &token, id, &mut socket).await;
    let (code, _) = stack.call(Method::POST, &format!("/api/campaigns/{id}/start"), &token, None).await;
    assert_eq!(code, 200);
    eventually("two messages out", Duration::from_secs(60), || async {
        (sent_count(&stack, id).await? >= 2).then_some(())
    })
    .await;

    assert_eq!(stack.simulator.control().logout(None).await.unwrap(), 1, "one linked device unlinked");
    let events = events_until(&mut socket, "error_update", Duration::from_secs(30)).await;
    let error = events.last().unwrap()["data"]["error"].as_str().unwrap().to_owned();
    assert!(error.contains("logged out"), "{error}");
    assert_eq!(status(&stack, &token, id).await, "PAUSED");
    let (_, connection) = stack.call(Method::GET, &format!("/api/campaigns/{id}/connection"), &token, None).await;
    assert_eq!(connection["isConnected"], false);

    // Nothing more leaves, nobody got two, and the rest wait for a new scan.
    let at_logout = received(&stack).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(received(&stack).await, at_logout);
    assert!(received_counts(&stack).await.values().all(|&n| n == 1));
    let rows: Vec<(String, i64)> =
        sqlx::query_as("SELECT status, COUNT(*) FROM recipients WHERE campaign_id = ? GROUP BY status")
            .bind(id)
            .fetch_all(&stack.db)
            .await
            .unwrap();
    let count = |wanted: &[&str]| {
        rows.iter().filter(|(s, _)| wanted.contains(&s.as_str())).map(|(_, n)| *n as usize).sum::<usize>()
    };
    assert_eq!(count(&["SENDING"]), 0, "{rows:?}");
    assert!(
        count(&["PENDING"]) > 0 && count(&["PENDING"]) + count(&["SENT", "DELIVERED", "UNKNOWN"]) == phones.len(),
        "{rows:?}"
    );
    assert!(count(&["SENT", "DELIVERED"]) <= at_logout, "{rows:?}");
    let (code, refused) = stack.call(Method::POST, &format!("/api/campaigns/{id}/resume"), &token, None).await;
    assert_eq!((code, refused["code"].as_str()), (422, Some("WHATSAPP_NOT_CONNECTED")), "{refused}");
}
