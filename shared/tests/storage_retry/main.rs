//! S3 refusing writes: the storage client retries what a retry can cure,
//! with backoff, and gives up at once on what it cannot. A real S3 client
//! against the AWS emulator, behind a proxy that refuses PUTs.

mod fault_proxy;

use std::time::{Duration, Instant};

use axum::http::StatusCode;
use fault_proxy::FaultProxy;
use shared::{config::AwsSettings, storage::Storage};

fn emulator() -> String {
    std::env::var("AWS_ENDPOINT_URL").unwrap_or_else(|_| "http://127.0.0.1:4566".into())
}

async fn sdk(endpoint: &str) -> aws_config::SdkConfig {
    shared::aws::sdk_config(&AwsSettings {
        region: "us-east-1".into(),
        endpoint_url: Some(endpoint.to_owned()),
        s3_bucket: String::new(),
        ws_management_endpoint: None,
        sessions_queue_url: String::new(),
        queues_create: shared::config::QueueCreation::Auto,
    })
    .await
}

/// A fresh bucket on the emulator, and a storage client that reaches it
/// through `proxy`.
async fn storage_behind(proxy: &FaultProxy) -> (Storage, Storage) {
    let bucket = format!("retry-{}", uuid::Uuid::new_v4().simple());
    let direct = Storage::new(&sdk(&emulator()).await, &bucket);
    direct.client().create_bucket().bucket(&bucket).send().await.unwrap();
    (Storage::new(&sdk(&proxy.url).await, &bucket), direct)
}

#[tokio::test]
async fn a_write_refused_with_slow_down_more_often_than_the_sdk_retries_is_stored_in_the_end() {
    // The SDK tries a call three times itself: four refusals outlast it.
    let proxy = FaultProxy::start(&emulator(), 4, StatusCode::SERVICE_UNAVAILABLE).await;
    let (storage, direct) = storage_behind(&proxy).await;
    let snapshot = vec![7u8; 256 * 1024];

    let started = Instant::now();
    storage.put("campaigns/1/session/profile.tar.gz", snapshot.clone(), "application/gzip").await.unwrap();

    let stored = direct.get("campaigns/1/session/profile.tar.gz").await.unwrap().expect("the snapshot is stored");
    assert_eq!(stored.bytes, snapshot);
    assert!(proxy.puts_seen() >= 5, "refused four times, then stored: {} PUTs", proxy.puts_seen());
    println!("recovery: S3 refusing 4 writes → snapshot stored after {:.1} s", started.elapsed().as_secs_f64());
}

#[tokio::test]
async fn a_write_refused_for_good_fails_after_a_bounded_number_of_attempts() {
    let proxy = FaultProxy::start(&emulator(), u32::MAX, StatusCode::SERVICE_UNAVAILABLE).await;
    let (storage, _) = storage_behind(&proxy).await;

    let started = Instant::now();
    let err = storage.put("reports/1.xlsx", vec![1, 2, 3], "application/octet-stream").await.unwrap_err();

    assert!(err.to_string().contains("reports/1.xlsx"), "the error names the key: {err}");
    let attempts = shared::storage::PUT_ATTEMPTS;
    assert!(proxy.puts_seen() >= attempts, "{} PUTs for {attempts} attempts", proxy.puts_seen());
    assert!(proxy.puts_seen() <= attempts * 3, "bounded: {} PUTs", proxy.puts_seen());
    assert!(started.elapsed() < Duration::from_secs(60), "gave up in {:?}", started.elapsed());
}

#[tokio::test]
async fn a_write_refused_as_forbidden_is_not_retried() {
    let proxy = FaultProxy::start(&emulator(), u32::MAX, StatusCode::FORBIDDEN).await;
    let (storage, _) = storage_behind(&proxy).await;

    storage.put("reports/2.xlsx", vec![1], "application/octet-stream").await.unwrap_err();

    assert_eq!(proxy.puts_seen(), 1, "a 403 is final");
}
