//! Senders dying, draining and meeting poison: nothing is lost, nobody is
//! messaged twice, and no new QR scan is needed while the phone keeps the
//! device linked.

use std::time::Duration;

use reqwest::Method;
use shared::repo::session_leases;

use crate::{
    campaign::{campaign_with_recipients, connect_whatsapp, nobody_twice},
    stack::{events_until, eventually, Stack},
};

#[derive(Clone, Copy, Debug)]
enum Death {
    Kill,
    Terminate,
}

async fn owner_goes_away_mid_campaign(death: Death) {
    let mut stack = Stack::start().await;
    let first = stack.spawn_sender("a");
    let second = stack.spawn_sender("b");
    let token = stack.customer_with_package().await;
    let (id, phones) = campaign_with_recipients(&stack, &token, 20).await;
    let mut socket = stack.websocket(id, &token).await;
    connect_whatsapp(&stack, &token, id, &mut socket).await;
    let lease = session_leases::campaign_owner(&stack.db, id).await.unwrap().expect("an owner");
    let owner = lease.sender_id;
    let survivor = if owner == first { second.clone() } else { first.clone() };

    let (status, _) = stack.call(Method::POST, &format!("/api/campaigns/{id}/start"), &token, None).await;
    assert_eq!(status, 200);
    let db = stack.db.clone();
    let sent_count = || async {
        sqlx::query_scalar::<_, i32>("SELECT sent_count FROM campaigns WHERE id = ?").bind(id).fetch_one(&db).await.ok()
    };
    eventually("five messages out", Duration::from_secs(60), || async { (sent_count().await? >= 5).then_some(()) })
        .await;
    let fault_at = std::time::Instant::now();
    match death {
        Death::Kill => stack.kill_sender(&owner),
        Death::Terminate => assert!(stack.terminate_sender(&owner).success(), "a drained sender exits cleanly"),
    }
    let sent_at_fault = sent_count().await.unwrap_or_default();
    eventually("a send after the fault", Duration::from_secs(120), || async {
        (sent_count().await? > sent_at_fault).then_some(())
    })
    .await;
    // `infra/dev.sh bench` prints these lines.
    println!("recovery: owner {death:?} → next send after {:.1} s", fault_at.elapsed().as_secs_f64());

    let events = events_until(&mut socket, "completion_update", Duration::from_secs(120)).await;
    assert!(events.iter().all(|e| e["type"] != "qr_code"), "the takeover needed no new QR: {events:?}");
    assert_eq!(stack.simulator.control().devices().await.unwrap().len(), 1, "one linked device, scanned once");
    assert!(stack.sender_alive(&survivor));
    let took_over = stack.sender_log(&survivor).lines().any(|line| {
        line.contains("session starting") && line.contains(&format!("\"account.id\":{}", lease.account_id))
    });
    assert!(took_over, "the survivor ran the campaign's session; its log:\n{}", stack.sender_log(&survivor));

    // Every recipient is messaged exactly once, or carries an explicit
    // unknown outcome (at most once) — never twice, never left behind.
    nobody_twice(&stack, id, &phones, &["UNKNOWN"]).await;
    let (_, campaign) = stack.call(Method::GET, &format!("/api/campaigns/{id}"), &token, None).await;
    assert_eq!(campaign["campaign"]["status"], "COMPLETED");
}

#[tokio::test]
async fn a_killed_owner_is_replaced_without_a_new_scan() {
    owner_goes_away_mid_campaign(Death::Kill).await;
}

#[tokio::test]
async fn a_draining_owner_hands_over() {
    owner_goes_away_mid_campaign(Death::Terminate).await;
}

#[tokio::test]
async fn poison_goes_to_the_dead_letter_queue_and_the_fleet_carries_on() {
    let mut stack = Stack::start().await;
    let sender = stack.spawn_sender("p");
    for body in ["not json at all", r#"{"v":99,"kind":"start","campaignId":1,"sentAt":"2026-01-01T00:00:00Z"}"#] {
        stack.sqs.send_message().queue_url(&stack.sessions_queue).message_body(body).send().await.unwrap();
    }
    eventually("both poison messages dead-lettered", Duration::from_secs(60), || async {
        let attributes = stack
            .sqs
            .get_queue_attributes()
            .queue_url(&stack.dead_letter_queue)
            .attribute_names(aws_sdk_sqs::types::QueueAttributeName::ApproximateNumberOfMessages)
            .send()
            .await
            .ok()?;
        let waiting: u32 = attributes.attributes()?
            [&aws_sdk_sqs::types::QueueAttributeName::ApproximateNumberOfMessages]
            .parse()
            .ok()?;
        (waiting == 2).then_some(())
    })
    .await;
    assert!(stack.sender_alive(&sender), "poison does not crash the consumer");
    // And it still serves real work.
    let token = stack.customer_with_package().await;
    let (id, _) = campaign_with_recipients(&stack, &token, 2).await;
    let mut socket = stack.websocket(id, &token).await;
    connect_whatsapp(&stack, &token, id, &mut socket).await;
}
