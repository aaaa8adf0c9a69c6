//! Link once: a WhatsApp number is linked to the user, not to each
//! campaign. One scan serves every later campaign of the user (one linked
//! device on the phone throughout); removing the number logs the device out
//! on WhatsApp; a killed sender's number is taken over with all its running
//! campaigns, without a new scan and without messaging anyone twice.

use std::{collections::HashMap, time::Duration};

use reqwest::Method;
use serde_json::Value;
use sqlx::MySqlPool;

use crate::{
    campaign::{campaign_numbered, connect_whatsapp, nobody_twice},
    stack::{eventually, Stack},
};

async fn status_of(db: &MySqlPool, id: i64) -> String {
    sqlx::query_scalar("SELECT status FROM campaigns WHERE id = ?").bind(id).fetch_one(db).await.unwrap()
}

async fn start(stack: &Stack, token: &str, id: i64) {
    let (status, started) = stack.call(Method::POST, &format!("/api/campaigns/{id}/start"), token, None).await;
    assert_eq!(status, 200, "{started}");
}

/// The linked devices of each number the simulator knows.
async fn devices_per_number(stack: &Stack) -> HashMap<String, usize> {
    let mut per_number = HashMap::new();
    for device in stack.simulator.control().devices().await.unwrap() {
        *per_number.entry(device.account.clone()).or_insert(0) += 1;
    }
    per_number
}

/// Wait for `ids` to complete, checking meanwhile that the user's number
/// stays one linked device.
async fn complete_with_one_device(stack: &Stack, ids: &[i64]) {
    eventually("the campaigns complete", Duration::from_secs(180), || async {
        let devices = devices_per_number(stack).await;
        assert!(devices.values().all(|n| *n == 1) && devices.len() == 1, "one linked device: {devices:?}");
        for id in ids {
            if status_of(&stack.db, *id).await != "COMPLETED" {
                return None;
            }
        }
        Some(())
    })
    .await;
}

/// Every phone of every campaign got exactly its campaign's message, once.
async fn each_phone_got_its_message_once(stack: &Stack, campaigns: &[(String, Vec<String>)]) {
    let messages = stack.simulator.control().messages(None).await.unwrap();
    for (text, phones) in campaigns {
        for phone in phones {
            let got: Vec<_> = messages.iter().filter(|m| &m.to == phone).collect();
            assert_eq!(got.len(), 1, "{phone}: {got:?}");
            assert_eq!(got[0].text.as_deref(), Some(text.as_str()), "{phone} got another campaign's message");
        }
    }
}

#[tokio::test]
async fn one_scan_serves_five_campaigns_on_one_linked_device() {
    let mut stack = Stack::start().await;
    // 20 messages from a just-linked number: more than its first warm-up day allows.
    stack.set_sender_env("GOVERNOR_WARM_UP_RAMP", "none");
    stack.spawn_sender("one");
    let token = stack.customer_with_package().await;
    let mut campaigns = Vec::new();
    for n in 0..5 {
        let text = format!("پیام کمپین {n}");
        let (id, phones) = campaign_numbered(&stack, &token, &text, (n * 10, 4), false).await;
        campaigns.push((id, text, phones));
    }
    let first = campaigns[0].0;
    let mut socket = stack.websocket(first, &token).await;
    connect_whatsapp(&stack, &token, first, &mut socket).await;
    let (_, accounts) = stack.call(Method::GET, "/api/whatsapp-accounts", &token, None).await;
    let account = &accounts["accounts"][0];
    assert_eq!((account["status"].as_str(), account["isConnected"].as_bool()), (Some("CONNECTED"), Some(true)));

    // The other campaigns need no scan: the QR request answers "connected".
    for (id, _, _) in &campaigns[1..] {
        let (status, answer) = stack.call(Method::POST, &format!("/api/campaigns/{id}/qr-code"), &token, None).await;
        assert_eq!(status, 200, "{answer}");
        assert_eq!((answer["isConnected"].as_bool(), &answer["qrCode"]), (Some(true), &Value::Null), "{answer}");
        let (_, connection) = stack.call(Method::GET, &format!("/api/campaigns/{id}/connection"), &token, None).await;
        assert_eq!(connection["isConnected"], true);
    }
    // Three at once, then two more.
    for (id, _, _) in &campaigns[..3] {
        start(&stack, &token, *id).await;
    }
    complete_with_one_device(&stack, &campaigns[..3].iter().map(|c| c.0).collect::<Vec<_>>()).await;
    for (id, _, _) in &campaigns[3..] {
        start(&stack, &token, *id).await;
    }
    complete_with_one_device(&stack, &campaigns[3..].iter().map(|c| c.0).collect::<Vec<_>>()).await;

    let expected: Vec<(String, Vec<String>)> = campaigns.iter().map(|(_, t, p)| (t.clone(), p.clone())).collect();
    each_phone_got_its_message_once(&stack, &expected).await;
    let numbers: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM whatsapp_accounts").fetch_one(&stack.db).await.unwrap();
    assert_eq!(numbers, 1, "one number for all five campaigns");
}

#[tokio::test]
async fn removing_a_number_logs_its_device_out_and_its_campaigns_cannot_start() {
    let mut stack = Stack::start().await;
    stack.spawn_sender("one");
    let token = stack.customer_with_package().await;

    let (status, linking) = stack.call(Method::POST, "/api/whatsapp-accounts", &token, None).await;
    assert_eq!(status, 201, "{linking}");
    let account_id = linking["account"]["id"].as_i64().unwrap();
    assert_eq!(linking["account"]["status"], "LINKING");
    let raw = linking["qrCode"]["raw"].as_str().expect("a QR to scan").to_owned();
    stack.simulator.control().scan(&raw, None).await.expect("the QR scans");
    let linked = eventually("the number is linked", Duration::from_secs(30), || async {
        let (_, answer) = stack.call(Method::GET, &format!("/api/whatsapp-accounts/{account_id}"), &token, None).await;
        (answer["account"]["isConnected"] == true).then_some(answer)
    })
    .await;
    assert!(linked["account"]["phone"].is_string(), "the number is read from the page: {linked}");
    assert_eq!(stack.simulator.control().devices().await.unwrap().len(), 1);

    // A new campaign sends from the user's only number by default.
    let (id, _) = campaign_numbered(&stack, &token, "سلام", (0, 3), false).await;
    let (_, campaign) = stack.call(Method::GET, &format!("/api/campaigns/{id}"), &token, None).await;
    assert_eq!(campaign["campaign"]["whatsappAccountId"], account_id, "{campaign}");

    let (status, removed) =
        stack.call(Method::DELETE, &format!("/api/whatsapp-accounts/{account_id}"), &token, None).await;
    assert_eq!((status, removed["account"]["status"].as_str()), (200, Some("REMOVED")), "{removed}");
    eventually("the phone's Linked devices no longer lists it", Duration::from_secs(60), || async {
        stack.simulator.control().devices().await.unwrap().is_empty().then_some(())
    })
    .await;

    let (status, refused) = stack.call(Method::POST, &format!("/api/campaigns/{id}/start"), &token, None).await;
    assert_eq!((status, refused["code"].as_str()), (422, Some("WHATSAPP_ACCOUNT_REMOVED")), "{refused}");
    assert!(refused["message"].as_str().unwrap().contains("removed"), "{refused}");
    assert_eq!(status_of(&stack.db, id).await, "READY");
    let (_, accounts) = stack.call(Method::GET, "/api/whatsapp-accounts", &token, None).await;
    assert_eq!(accounts["accounts"], serde_json::json!([]));
    let (status, _) = stack.call(Method::GET, &format!("/api/whatsapp-accounts/{account_id}"), &token, None).await;
    assert_eq!(status, 404);
    eventually("the saved login forgotten", Duration::from_secs(30), || async {
        let saved: Option<Option<String>> =
            sqlx::query_scalar("SELECT snapshot_key FROM whatsapp_sessions WHERE account_id = ?")
                .bind(account_id)
                .fetch_optional(&stack.db)
                .await
                .ok()?;
        saved.flatten().is_none().then_some(())
    })
    .await;
}

#[tokio::test]
async fn a_killed_owner_hands_both_running_campaigns_of_its_number_over_without_a_scan() {
    let mut stack = Stack::start().await;
    stack.set_sender_env("GOVERNOR_WARM_UP_RAMP", "none");
    let first = stack.spawn_sender("a");
    let second = stack.spawn_sender("b");
    let token = stack.customer_with_package().await;
    let (one, one_phones) = campaign_numbered(&stack, &token, "پیام یک", (0, 12), false).await;
    let (two, two_phones) = campaign_numbered(&stack, &token, "پیام دو", (100, 12), false).await;
    let mut socket = stack.websocket(one, &token).await;
    connect_whatsapp(&stack, &token, one, &mut socket).await;
    let (_, answer) = stack.call(Method::POST, &format!("/api/campaigns/{two}/qr-code"), &token, None).await;
    assert_eq!(answer["isConnected"], true, "{answer}");
    start(&stack, &token, one).await;
    start(&stack, &token, two).await;

    let sent = || async {
        sqlx::query_scalar::<_, i64>(
            "SELECT CAST(COALESCE(SUM(sent_count), 0) AS SIGNED) FROM campaigns WHERE id IN (?, ?)",
        )
        .bind(one)
        .bind(two)
        .fetch_one(&stack.db)
        .await
        .ok()
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while sent().await.unwrap_or_default() < 4 {
        assert!(
            std::time::Instant::now() < deadline,
            "both campaigns under way; a:\n{}\nb:\n{}",
            stack.sender_log(&first),
            stack.sender_log(&second)
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let owner = shared::repo::session_leases::campaign_owner(&stack.db, one).await.unwrap().expect("an owner");
    let survivor = if owner.sender_id == first { second.clone() } else { first.clone() };
    stack.kill_sender(&owner.sender_id);

    complete_with_one_device(&stack, &[one, two]).await;
    assert!(stack.sender_log(&survivor).contains(&format!("\"account.id\":{}", owner.account_id)));
    let qr_codes: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM campaigns WHERE id IN (?, ?) AND qr_code IS NOT NULL")
        .bind(one)
        .bind(two)
        .fetch_one(&stack.db)
        .await
        .unwrap();
    assert_eq!(qr_codes, 0, "no new QR was shown");

    // Nobody twice; everyone either messaged once or explicitly unknown.
    nobody_twice(&stack, one, &one_phones, &["UNKNOWN"]).await;
    nobody_twice(&stack, two, &two_phones, &["UNKNOWN"]).await;
}
