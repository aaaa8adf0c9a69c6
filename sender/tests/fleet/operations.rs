//! Operating a sender: its health server tells the truth about it, its
//! metrics count what it did, and a browser memory limit recycles sessions
//! instead of letting them grow until the host kills the sender.

use std::time::Duration;

use reqwest::Method;

use crate::{
    campaign::{campaign_with_recipients, connect_whatsapp, received_counts},
    stack::{events_until, eventually, Stack},
};

/// The value of one Prometheus sample line (`name{labels} value`).
pub fn sample(metrics: &str, series: &str) -> Option<f64> {
    metrics.lines().find_map(|line| line.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
}

#[tokio::test]
async fn a_senders_health_server_shows_its_sends_sessions_and_browser_memory() {
    let mut stack = Stack::start().await;
    let sender = stack.spawn_sender("ops");
    let ops = stack.ops_url(&sender);
    let live = eventually("the sender answers /healthz", Duration::from_secs(30), || async {
        stack.http.get(format!("{ops}/healthz")).send().await.ok().filter(|r| r.status() == 200)
    })
    .await;
    assert_eq!(live.text().await.unwrap(), "ok");
    let ready = eventually("the sender is ready", Duration::from_secs(30), || async {
        let response = stack.http.get(format!("{ops}/readyz")).send().await.ok()?;
        (response.status() == 200).then_some(response)
    })
    .await;
    let ready: serde_json::Value = ready.json().await.unwrap();
    assert_eq!(ready["checks"], serde_json::json!({"database": "ok", "queue": "ok", "browser": "ok"}), "{ready}");

    let token = stack.customer_with_package().await;
    let (id, phones) = campaign_with_recipients(&stack, &token, 4).await;
    stack.simulator.control().not_on_whatsapp(&phones[1]).await.unwrap();
    let mut socket = stack.websocket(id, &token).await;
    connect_whatsapp(&stack, &token, id, &mut socket).await;
    let (status, _) = stack.call(Method::POST, &format!("/api/campaigns/{id}/start"), &token, None).await;
    assert_eq!(status, 200);
    events_until(&mut socket, "completion_update", Duration::from_secs(90)).await;

    let metrics = stack.http.get(format!("{ops}/metrics")).send().await.unwrap().text().await.unwrap();
    assert_eq!(sample(&metrics, r#"wa_sends_total{outcome="sent"}"#), Some(3.0), "{metrics}");
    assert_eq!(sample(&metrics, r#"wa_sends_total{outcome="not_on_whatsapp"}"#), Some(1.0), "{metrics}");
    assert!(sample(&metrics, "wa_command_pickup_milliseconds_count").is_some_and(|n| n >= 1.0), "{metrics}");
    assert!(sample(&metrics, "wa_sessions_open").is_some(), "{metrics}");
    assert!(sample(&metrics, "wa_chromium_pss_max").is_some(), "{metrics}");
    // The same counts leave as CloudWatch EMF lines in the sender's log.
    let log = stack.sender_log(&sender);
    let emf_sends = log.lines().filter(|l| l.contains("\"_aws\"") && l.contains("\"Sends\":1")).count();
    assert_eq!(emf_sends, 4, "one EMF line per send");
}

#[tokio::test]
async fn browsers_over_the_memory_limit_are_recycled_and_the_campaign_completes_once_each() {
    let mut stack = Stack::start().await;
    // Linked on a sender without a limit (a recycle before the scan would
    // only show a new QR), which then hands the session over on SIGTERM.
    let linker = stack.spawn_sender("link");
    let token = stack.customer_with_package().await;
    let (id, phones) = campaign_with_recipients(&stack, &token, 6).await;
    let mut socket = stack.websocket(id, &token).await;
    connect_whatsapp(&stack, &token, id, &mut socket).await;
    // The login is saved before the linker goes (a drain in the middle of
    // the post-login snapshot does not finish in time).
    eventually("the login snapshot saved", Duration::from_secs(30), || async {
        let key: Option<Option<String>> = sqlx::query_scalar(
            "SELECT s.snapshot_key FROM whatsapp_sessions s JOIN campaigns c ON c.whatsapp_account_id = s.account_id \
                 WHERE c.id = ?",
        )
        .bind(id)
        .fetch_optional(&stack.db)
        .await
        .ok()?;
        key.flatten().map(|_| ())
    })
    .await;
    assert!(stack.terminate_sender(&linker).success());
    // Any browser is over 1 MB: the first sample after the session opens
    // recycles it; the cooldown then lets the restarted session work.
    stack.set_sender_env("SENDER_MEMORY_LIMIT_MB", "1");
    let sender = stack.spawn_sender("mem");
    eventually("the session back on the new sender", Duration::from_secs(90), || async {
        let (_, connection) = stack.call(Method::GET, &format!("/api/campaigns/{id}/connection"), &token, None).await;
        (connection["isConnected"] == true).then_some(())
    })
    .await;
    let (status, started) = stack.call(Method::POST, &format!("/api/campaigns/{id}/start"), &token, None).await;
    assert_eq!(status, 200, "{started}");
    let events = events_until(&mut socket, "completion_update", Duration::from_secs(120)).await;
    assert!(events.iter().all(|e| e["type"] != "qr_code"), "the restart needed no new QR: {events:?}");

    let log = stack.sender_log(&sender);
    assert!(log.contains("recycling the sessions"), "the limit recycled the sessions; log:\n{log}");
    assert!(
        log.lines().filter(|l| l.contains("session starting")).count() >= 2,
        "the session started again after the recycle; log:\n{log}"
    );
    let counts = received_counts(&stack).await;
    for phone in &phones {
        assert_eq!(counts.get(phone).copied(), Some(1), "{phone} received exactly one message");
    }
    let (_, campaign) = stack.call(Method::GET, &format!("/api/campaigns/{id}"), &token, None).await;
    assert_eq!(campaign["campaign"]["status"], "COMPLETED");
}
