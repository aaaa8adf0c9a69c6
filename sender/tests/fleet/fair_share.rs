//! A fair share of the fleet (issue 25), end to end on one sender with two
//! browser slots: an idle session (logged in, login saved, nothing to send)
//! closes to give a new link its QR at once, while a session serving a
//! running campaign is never closed for it; with both slots busy a link is
//! queued with its place in line; an attempt nobody scans expires and
//! closes its browser, and the queued one gets the slot and its QR by event.

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{json, Value};

use crate::{
    campaign::{campaign_numbered, connect_whatsapp, nobody_twice, sent_count},
    stack::{events_until, eventually, Stack},
};

/// Another user of the product, signed up and logged in; their token.
async fn another_user(stack: &Stack, n: u32) -> String {
    let body = json!({"name": "کاربر", "email": format!("fair{n}@example.com"), "phone": format!("0935000000{n}"),
                      "password": "fair-pass-1"});
    let (status, created) = stack.call(Method::POST, "/api/user/register-simple", "", Some(body)).await;
    assert_eq!(status, 201, "{created}");
    let login = json!({"email": format!("fair{n}@example.com"), "password": "fair-pass-1"});
    let (_, session) = stack.call(Method::POST, "/api/user/login", "", Some(login)).await;
    session["accessToken"].as_str().unwrap().to_owned()
}

async fn account(stack: &Stack, token: &str, id: i64) -> Value {
    let (status, answer) = stack.call(Method::GET, &format!("/api/whatsapp-accounts/{id}"), token, None).await;
    assert_eq!(status, 200, "{answer}");
    answer["account"].clone()
}

/// Link a new number by QR and scan it; its id.
async fn link_and_scan(stack: &Stack, token: &str, sender: &str) -> i64 {
    let (status, linking) = stack.call(Method::POST, "/api/whatsapp-accounts", token, None).await;
    // 202 when the browser took longer than the request's wait (a loaded
    // machine): the QR is then on the number moments later.
    assert!(status == 201 || status == 202, "{status} {linking}\n{}", stack.sender_log(sender));
    let id = linking["account"]["id"].as_i64().unwrap();
    let raw = eventually("a QR to scan", Duration::from_secs(30), || async {
        let (_, answer) = stack.call(Method::GET, &format!("/api/whatsapp-accounts/{id}"), token, None).await;
        answer["qrCode"]["raw"].as_str().map(str::to_owned)
    })
    .await;
    stack.simulator.control().scan(&raw, None).await.expect("the QR scans");
    eventually("the number is linked", Duration::from_secs(30), || async {
        (account(stack, token, id).await["isConnected"] == true).then_some(())
    })
    .await;
    id
}

async fn lease_of(stack: &Stack, account_id: i64) -> Option<(String, i64, bool, Option<String>)> {
    sqlx::query_as(
        "SELECT sender_id, fencing, expires_at > CURRENT_TIMESTAMP(3), snapshot_key FROM whatsapp_sessions \
         WHERE account_id = ?",
    )
    .bind(account_id)
    .fetch_optional(&stack.db)
    .await
    .unwrap()
}

#[tokio::test]
async fn idle_sessions_make_room_queued_links_get_their_qr_and_a_sending_session_stays() {
    let mut stack = Stack::start().await;
    stack.set_sender_env("SENDER_MAX_SESSIONS", "2");
    stack.set_sender_env("LINKING_TIMEOUT_SECONDS", "10");
    stack.set_sender_env("GOVERNOR_WARM_UP_RAMP", "none");
    let sender = stack.spawn_sender("two-slots");

    // One user sends a long campaign; another has linked and sends nothing.
    let sending = stack.customer_with_package().await;
    let (campaign, phones) = campaign_numbered(&stack, &sending, "پیام طولانی", (0, 40), false).await;
    let mut socket = stack.websocket(campaign, &sending).await;
    connect_whatsapp(&stack, &sending, campaign, &mut socket).await;
    let (status, started) = stack.call(Method::POST, &format!("/api/campaigns/{campaign}/start"), &sending, None).await;
    assert_eq!(status, 200, "{started}");
    let idle = another_user(&stack, 1).await;
    let idle_account = link_and_scan(&stack, &idle, &sender).await;
    let sending_account: i64 = sqlx::query_scalar("SELECT whatsapp_account_id FROM campaigns WHERE id = ?")
        .bind(campaign)
        .fetch_one(&stack.db)
        .await
        .unwrap();
    let (_, sending_fencing, ..) = lease_of(&stack, sending_account).await.expect("the sending session's lease");

    // A third user links: the idle session makes room, the QR comes at once.
    let newcomer = another_user(&stack, 2).await;
    let asked = Instant::now();
    let (status, linking) = stack.call(Method::POST, "/api/whatsapp-accounts", &newcomer, None).await;
    let unscanned = linking["account"]["id"].as_i64().unwrap();
    // In the answer, or — when the idle session had not yet said it is idle
    // — moments later, on the number (and by event).
    assert!(status == 201 || status == 202, "{status} {linking}");
    eventually("the newcomer's QR", Duration::from_secs(10), || async {
        let (_, answer) =
            stack.call(Method::GET, &format!("/api/whatsapp-accounts/{unscanned}"), &newcomer, None).await;
        answer["qrCode"]["raw"].as_str().map(str::to_owned)
    })
    .await;
    assert!(
        asked.elapsed() < Duration::from_secs(10),
        "the QR took {:?}\n{}",
        asked.elapsed(),
        stack.sender_log(&sender)
    );
    assert!(sent_count(&stack, campaign).await.unwrap() < 40, "the campaign still sends meanwhile");
    let (_, _, live, saved) = lease_of(&stack, idle_account).await.expect("the idle number's lease");
    assert!(!live, "the idle session closed");
    assert!(saved.is_some(), "its login is saved: it reopens without a scan");
    assert_eq!(account(&stack, &idle, idle_account).await["status"], "CONNECTED");

    // Both slots busy (one sending, one linking): the next link waits in line.
    let late = another_user(&stack, 3).await;
    let (status, created) =
        stack.call(Method::POST, "/api/campaigns", &late, Some(json!({"title": "صف", "message": "سلام"}))).await;
    assert_eq!(status, 201, "{created}");
    let late_campaign = created["campaign"]["id"].as_i64().unwrap();
    let mut late_socket = stack.websocket(late_campaign, &late).await;
    let asked = Instant::now();
    let (status, queued) =
        stack.call(Method::POST, &format!("/api/campaigns/{late_campaign}/qr-code"), &late, None).await;
    assert_eq!(
        (status, queued["queued"].as_bool(), queued["position"].as_i64()),
        (202, Some(true), Some(1)),
        "{queued}"
    );
    assert!(asked.elapsed() < Duration::from_secs(3), "answered at once: {:?}", asked.elapsed());

    // Nobody scans the newcomer's QR: it expires and its browser closes.
    let expired = eventually("the unscanned link expires", Duration::from_secs(40), || async {
        let now = account(&stack, &newcomer, unscanned).await;
        (now["status"] == "DISCONNECTED").then_some(now)
    })
    .await;
    assert!(expired["statusReason"].as_str().unwrap().contains("expired"), "{expired}");
    eventually("its browser closes", Duration::from_secs(20), || async {
        let profile = format!("account-{unscanned}");
        let browsers = stack.processes_on_profiles_of(&sender);
        let open = browsers.iter().any(|pid| {
            std::fs::read(format!("/proc/{pid}/cmdline"))
                .is_ok_and(|cmdline| String::from_utf8_lossy(&cmdline).contains(&profile))
        });
        (!open).then_some(())
    })
    .await;

    // The freed slot goes to the one in line: its QR arrives as an event.
    let qr = events_until(&mut late_socket, "qr_code", Duration::from_secs(60)).await;
    let raw = qr.last().expect("a qr_code event")["data"]["qrCode"]["raw"].as_str().unwrap().to_owned();
    stack.simulator.control().scan(&raw, None).await.expect("the QR scans");
    let ready = events_until(&mut late_socket, "status_update", Duration::from_secs(30)).await;
    assert_eq!(ready.last().unwrap()["data"]["status"], "ready");

    // The sending session was never closed for any of this.
    eventually("the long campaign completes", Duration::from_secs(240), || async {
        let status: String = sqlx::query_scalar("SELECT status FROM campaigns WHERE id = ?")
            .bind(campaign)
            .fetch_one(&stack.db)
            .await
            .ok()?;
        (status == "COMPLETED").then_some(())
    })
    .await;
    let (_, fencing, ..) = lease_of(&stack, sending_account).await.unwrap();
    assert_eq!(fencing, sending_fencing, "one session sent the whole campaign");
    nobody_twice(&stack, campaign, &phones, &[]).await;
}
