//! The browser of a session killed mid-send (Chromium crashed, or the
//! kernel's OOM killer picked it), the sender itself still running: the
//! session reopens from its profile without a new scan, the recipient in
//! flight is UNKNOWN (never sent twice), and the rest go.

use std::time::{Duration, Instant};

use reqwest::Method;

use crate::{
    campaign::{campaign_with_recipients, nobody_twice, sent_count, start_and_wait_for},
    stack::{events_until, eventually, Stack},
};

/// The main browser processes (`--user-data-dir=…`, not a `--type=…`
/// helper) among `pids`.
fn browser_mains(pids: &[u32]) -> Vec<u32> {
    pids.iter()
        .copied()
        .filter(|pid| {
            let Ok(cmdline) = std::fs::read(format!("/proc/{pid}/cmdline")) else { return false };
            let args: Vec<&[u8]> = cmdline.split(|b| *b == 0).collect();
            args.iter().any(|arg| arg.starts_with(b"--user-data-dir="))
                && !args.iter().any(|arg| arg.starts_with(b"--type="))
        })
        .collect()
}

#[tokio::test]
async fn a_sessions_browser_killed_mid_send_reopens_from_its_profile_and_nobody_is_messaged_twice() {
    let mut stack = Stack::start().await;
    let sender = stack.spawn_sender("crash");
    let token = stack.customer_with_package().await;
    let (id, phones) = campaign_with_recipients(&stack, &token, 12).await;
    let mut socket = stack.websocket(id, &token).await;
    start_and_wait_for(&stack, &token, id, &mut socket, 3).await;

    let browsers = browser_mains(&stack.processes_on_profiles_of(&sender));
    assert_eq!(browsers.len(), 1, "one session, one browser: {browsers:?}");
    // Mid-send: while a recipient is marked SENDING (typed, not yet confirmed).
    let in_flight = in_flight_recipient(&stack, id).await;
    let killed_at = Instant::now();
    unsafe { libc::kill(browsers[0] as i32, libc::SIGKILL) };
    let sent_at_kill = sent_count(&stack, id).await.unwrap_or_default();
    eventually("a send after the browser died", Duration::from_secs(60), || async {
        (sent_count(&stack, id).await? > sent_at_kill).then_some(())
    })
    .await;
    println!("recovery: session browser killed → next send after {:.1} s", killed_at.elapsed().as_secs_f64());

    let events = events_until(&mut socket, "completion_update", Duration::from_secs(120)).await;
    assert!(events.iter().all(|e| e["type"] != "qr_code"), "reopened without a new QR: {events:?}");
    assert_eq!(stack.simulator.control().devices().await.unwrap().len(), 1, "one linked device, scanned once");
    assert!(stack.sender_alive(&sender), "the sender itself carried on");
    let reopened = browser_mains(&stack.processes_on_profiles_of(&sender));
    assert!(!reopened.contains(&browsers[0]), "the killed browser stays dead");

    // In flight when the browser died: never offered again.
    nobody_twice(&stack, id, &phones, &["UNKNOWN"]).await;
    let unknown: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM recipients WHERE campaign_id = ? AND status = 'UNKNOWN'")
            .bind(id)
            .fetch_one(&stack.db)
            .await
            .unwrap();
    assert!(unknown <= 1, "at most the one recipient in flight is UNKNOWN");
    let in_flight_status: String =
        sqlx::query_scalar("SELECT status FROM recipients WHERE campaign_id = ? AND phone = ?")
            .bind(id)
            .bind(&in_flight)
            .fetch_one(&stack.db)
            .await
            .unwrap();
    assert_ne!(in_flight_status, "PENDING", "the recipient in flight is never offered again");
    let (_, campaign) = stack.call(Method::GET, &format!("/api/campaigns/{id}"), &token, None).await;
    assert_eq!(campaign["campaign"]["status"], "COMPLETED");
}

/// The phone of a recipient being sent to right now (polled closely: a
/// send is marked SENDING for a few hundred milliseconds).
async fn in_flight_recipient(stack: &Stack, campaign_id: i64) -> String {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let sending: Option<String> =
            sqlx::query_scalar("SELECT phone FROM recipients WHERE campaign_id = ? AND status = 'SENDING' LIMIT 1")
                .bind(campaign_id)
                .fetch_optional(&stack.db)
                .await
                .unwrap();
        if let Some(phone) = sending {
            return phone;
        }
        assert!(Instant::now() < deadline, "no recipient was ever in flight");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
