//! Drift is loud: when WhatsApp renames a hook, the campaign pauses with the
//! hook named (in `failureReason` and an `error_update`) instead of failing
//! every remaining recipient, and diagnostics without message text land in
//! S3 for the operator.

use std::time::Duration;

use reqwest::Method;

use crate::{
    campaign::{campaign_with, connect_whatsapp, MESSAGE},
    stack::{events_until, eventually, Stack},
};

#[tokio::test]
async fn a_renamed_hook_pauses_the_campaign_by_name_with_diagnostics_and_no_text() {
    let mut stack = Stack::start().await;
    // A drift shows as a hook's wait running out: keep that wait short here.
    stack.set_sender_env("WHATSAPP_PAGE_TIMEOUT_MS", "6000");
    stack.spawn_sender("solo");
    let token = stack.customer_with_package().await;
    let (id, phones) = campaign_with(&stack, &token, 6, false).await;
    let mut socket = stack.websocket(id, &token).await;
    connect_whatsapp(&stack, &token, id, &mut socket).await;
    let (code, _) = stack.call(Method::POST, &format!("/api/campaigns/{id}/start"), &token, None).await;
    assert_eq!(code, 200);
    eventually("a message out", Duration::from_secs(60), || async {
        let sent: i32 = sqlx::query_scalar("SELECT sent_count FROM campaigns WHERE id = ?")
            .bind(id)
            .fetch_one(&stack.db)
            .await
            .ok()?;
        (sent >= 1).then_some(())
    })
    .await;

    stack.simulator.control().drift("compose").await.unwrap();
    let events = events_until(&mut socket, "error_update", Duration::from_secs(60)).await;
    let error = events.last().unwrap()["data"]["error"].as_str().unwrap().to_owned();
    assert!(error.contains(r#""compose""#) && error.contains("WhatsApp Web changed"), "{error}");

    let (_, campaign) = stack.call(Method::GET, &format!("/api/campaigns/{id}"), &token, None).await;
    assert_eq!(campaign["campaign"]["status"], "PAUSED", "{campaign}");
    let reason = campaign["campaign"]["failureReason"].as_str().unwrap_or_default();
    assert!(reason.contains(r#""compose""#), "failureReason names the hook: {campaign}");

    // Not burnt through the list: the rest wait, none failed for it.
    let received = stack.simulator.control().messages(None).await.unwrap().len();
    assert!(received < phones.len(), "stopped at the drift");
    let failed: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM recipients WHERE campaign_id = ? AND status = 'FAILED'")
        .bind(id)
        .fetch_one(&stack.db)
        .await
        .unwrap();
    assert_eq!(failed, 0);
    let pending: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM recipients WHERE campaign_id = ? AND status = 'PENDING'")
            .bind(id)
            .fetch_one(&stack.db)
            .await
            .unwrap();
    assert_eq!(pending as usize, phones.len() - received, "the recipient at the drift is back in line");

    // The diagnostics: a screenshot, an outline and a report, none with the
    // message, a recipient's number or the QR secret inside.
    let listed = stack.s3.list_objects_v2().bucket(stack.bucket()).prefix(format!("diagnostics/{id}/")).send().await;
    let keys: Vec<String> = listed.unwrap().contents().iter().filter_map(|o| o.key().map(str::to_owned)).collect();
    for file in ["screenshot.png", "outline.txt", "report.json"] {
        assert!(keys.iter().any(|k| k.ends_with(file) && k.contains("-compose/")), "{file} missing from {keys:?}");
    }
    let message_words: Vec<&str> = MESSAGE.split_whitespace().filter(|w| w.chars().count() > 3).collect();
    for key in &keys {
        let object = stack.s3.get_object().bucket(stack.bucket()).key(key).send().await.unwrap();
        let bytes = object.body.collect().await.unwrap().into_bytes();
        let text = String::from_utf8_lossy(&bytes);
        for leak in message_words.iter().copied().chain(phones.iter().map(String::as_str)).chain(["مشتری"]) {
            assert!(!text.contains(leak), "{key} holds {leak:?}");
        }
        if key.ends_with("outline.txt") {
            assert!(text.contains("div#main") && text.contains("footer"), "an outline of the page: {text}");
        }
    }
}
