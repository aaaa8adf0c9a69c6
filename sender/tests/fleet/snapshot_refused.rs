//! S3 refusing writes (503 SlowDown) while a session saves its profile
//! snapshot: the write is retried with backoff, the login is saved, and
//! the campaign goes on — each recipient once.

use std::time::Duration;

use axum::http::StatusCode;
use reqwest::Method;

use crate::{
    campaign::{campaign_with_recipients, connect_whatsapp, received_counts},
    fault_proxy::FaultProxy,
    stack::{eventually, Stack},
};

#[tokio::test]
async fn snapshot_writes_refused_by_s3_are_retried_and_the_campaign_completes() {
    let mut stack = Stack::start().await;
    // More refusals than the SDK's own three tries: the storage's retry is
    // what saves the snapshot. Only the sender goes through the proxy.
    let emulator = std::env::var("AWS_ENDPOINT_URL").unwrap_or_else(|_| "http://127.0.0.1:4566".into());
    let proxy = FaultProxy::start(&emulator, 4, StatusCode::SERVICE_UNAVAILABLE).await;
    stack.set_sender_env("AWS_ENDPOINT_URL", &proxy.url);
    let sender = stack.spawn_sender("s3");
    let token = stack.customer_with_package().await;
    let (id, phones) = campaign_with_recipients(&stack, &token, 6).await;
    let mut socket = stack.websocket(id, &token).await;
    connect_whatsapp(&stack, &token, id, &mut socket).await;

    eventually("the login snapshot stored", Duration::from_secs(60), || async {
        (proxy.puts_stored() >= 1).then_some(())
    })
    .await;
    let refused_at = proxy.first_refusal().expect("the snapshot was refused first");
    println!("recovery: S3 refusing 4 snapshot writes → stored after {:.1} s", refused_at.elapsed().as_secs_f64());
    assert!(stack.sender_log(&sender).contains("S3 refused a write; trying again"), "the retry is logged");

    let (status, _) = stack.call(Method::POST, &format!("/api/campaigns/{id}/start"), &token, None).await;
    assert_eq!(status, 200);
    eventually("the campaign completed", Duration::from_secs(90), || async {
        let (_, campaign) = stack.call(Method::GET, &format!("/api/campaigns/{id}"), &token, None).await;
        (campaign["campaign"]["status"] == "COMPLETED").then_some(())
    })
    .await;
    let counts = received_counts(&stack).await;
    for phone in &phones {
        assert_eq!(counts.get(phone).copied().unwrap_or(0), 1, "{phone} messaged once");
    }
    drop(socket);
}
