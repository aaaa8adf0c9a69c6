//! The send governor with the real sender, Chromium and the simulator, its
//! time compressed by settings (`SEND_INTERVAL_OVERRIDE_MS`,
//! `GOVERNOR_DAY_SECONDS`, `GOVERNOR_BREAK_MS`): pacing with jitter, breaks
//! and typing; a daily cap shared by two campaigns of one number; sending
//! hours; the counters surviving a takeover.

use std::time::Duration;

use chrono::{DateTime, Timelike, Utc};
use reqwest::Method;
use serde_json::{json, Value};
use shared::repo::session_leases;

use crate::{
    campaign::{connect_whatsapp, received_counts},
    operations::sample,
    stack::{events_until, eventually, next_event, Socket, Stack},
};

pub const TEXT: &str = "سلام! پیشنهاد ویژه این هفته 🎉";

/// A text campaign (created with `extra` fields, e.g. `sendWindow`) with
/// `count` recipients numbered from `first`; its id and the phones.
pub async fn text_campaign(stack: &Stack, token: &str, first: usize, count: usize, extra: Value) -> (i64, Vec<String>) {
    let mut body = json!({"title": "نوبت", "message": TEXT, "interval": "FIVE_SECONDS"});
    body.as_object_mut().unwrap().extend(extra.as_object().cloned().unwrap_or_default());
    let (status, created) = stack.call(Method::POST, "/api/campaigns", token, Some(body)).await;
    assert_eq!(status, 201, "{created}");
    let id = created["campaign"]["id"].as_i64().unwrap();
    let mut csv = String::from("phone,name\n");
    let mut phones = Vec::new();
    for i in first..first + count {
        let local = format!("0912{:07}", i);
        csv.push_str(&format!("{local},n{i}\n"));
        phones.push(format!("98{}", &local[1..]));
    }
    let part = reqwest::multipart::Part::bytes(csv.into_bytes()).file_name("list.csv").mime_str("text/csv").unwrap();
    let import = stack
        .http
        .post(stack.url(&format!("/api/campaigns/{id}/recipients")))
        .bearer_auth(token)
        .multipart(reqwest::multipart::Form::new().part("recipientsFile", part))
        .send()
        .await
        .unwrap();
    let imported: Value = import.json().await.unwrap();
    assert_eq!(imported["recipientsCount"], count, "{imported}");
    (id, phones)
}

pub async fn start(stack: &Stack, token: &str, id: i64) {
    let (status, started) = stack.call(Method::POST, &format!("/api/campaigns/{id}/start"), token, None).await;
    assert_eq!(status, 200, "{started}");
}

pub async fn campaign(stack: &Stack, token: &str, id: i64) -> Value {
    let (status, body) = stack.call(Method::GET, &format!("/api/campaigns/{id}"), token, None).await;
    assert_eq!(status, 200, "{body}");
    body["campaign"].clone()
}

/// Events until a `status_update` whose status is `waiting`; that event's data.
pub async fn waiting_event(socket: &mut Socket, wait: Duration) -> Value {
    let deadline = std::time::Instant::now() + wait;
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        let event = next_event(socket, left).await.expect("a waiting status_update in time");
        if event["type"] == "status_update" && event["data"]["status"] == "waiting" {
            return event["data"].clone();
        }
    }
}

fn instant(value: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(value.as_str().unwrap_or_else(|| panic!("a timestamp, got {value}")))
        .unwrap()
        .with_timezone(&Utc)
}

/// The simulator's messages, in the order they arrived.
async fn arrivals(stack: &Stack) -> Vec<wa_simulator::ReceivedMessage> {
    let mut messages = stack.simulator.control().messages(None).await.unwrap();
    messages.sort_by_key(|m| m.sent_at);
    messages
}

#[tokio::test]
async fn pauses_have_a_floor_jitter_long_breaks_and_typing_before_each_message() {
    let mut stack = Stack::start().await;
    // 40 messages from a new number: past the first warm-up day's 20.
    stack.set_sender_env("GOVERNOR_WARM_UP_RAMP", "none");
    stack.set_sender_env("GOVERNOR_BREAK_MS", "3000-4000");
    stack.spawn_sender("solo");
    let token = stack.customer_with_package().await;
    let (id, phones) = text_campaign(&stack, &token, 1_000, 40, json!({})).await;
    let mut socket = stack.websocket(id, &token).await;
    connect_whatsapp(&stack, &token, id, &mut socket).await;
    start(&stack, &token, id).await;
    let events = events_until(&mut socket, "completion_update", Duration::from_secs(300)).await;
    assert_eq!(events.last().unwrap()["data"]["report"]["sentCount"], 40);

    let messages = arrivals(&stack).await;
    assert_eq!(messages.len(), phones.len());
    assert!(received_counts(&stack).await.values().all(|&n| n == 1), "nobody twice");
    let floor = Duration::from_millis(800);
    let gaps: Vec<f64> =
        messages.windows(2).map(|pair| (pair[1].sent_at - pair[0].sent_at).to_std().unwrap().as_secs_f64()).collect();
    for (i, gap) in gaps.iter().enumerate() {
        assert!(*gap >= floor.as_secs_f64(), "gap {i} is {gap:.3} s, under the floor");
    }
    let mean = gaps.iter().sum::<f64>() / gaps.len() as f64;
    let sd = (gaps.iter().map(|g| (g - mean).powi(2)).sum::<f64>() / gaps.len() as f64).sqrt();
    assert!(sd / mean >= 0.2, "coefficient of variation {:.3} (mean {mean:.2} s); gaps {gaps:?}", sd / mean);
    let long_breaks = gaps.iter().filter(|g| **g >= 3.0 + floor.as_secs_f64()).count();
    assert!(long_breaks >= 1, "a long break within 40 messages; gaps {gaps:?}");
    // TYPING_MS is 150-400 in the stack: every message was typed, visibly.
    for message in &messages {
        assert!(message.typing_ms >= 100, "{} typed for {} ms", message.to, message.typing_ms);
        assert_eq!(message.text.as_deref(), Some(TEXT), "emoji and Persian typed intact");
    }
}

#[tokio::test]
async fn a_daily_cap_holds_across_two_campaigns_of_one_number() {
    let mut stack = Stack::start().await;
    stack.set_sender_env("GOVERNOR_DAILY_CAP", "5");
    stack.set_sender_env("GOVERNOR_DAY_SECONDS", "30");
    stack.set_sender_env("GOVERNOR_WARM_UP_RAMP", "none");
    let sender = stack.spawn_sender("solo");
    let token = stack.customer_with_package().await;
    // Six each: both still have someone pending when the cap of 5 is reached.
    let (first, first_phones) = text_campaign(&stack, &token, 2_000, 6, json!({})).await;
    let (second, second_phones) = text_campaign(&stack, &token, 3_000, 6, json!({})).await;
    let mut first_socket = stack.websocket(first, &token).await;
    let mut second_socket = stack.websocket(second, &token).await;
    // Both scanned by the same phone: one number, two linked devices.
    connect_whatsapp(&stack, &token, first, &mut first_socket).await;
    connect_whatsapp(&stack, &token, second, &mut second_socket).await;
    start(&stack, &token, first).await;
    start(&stack, &token, second).await;

    let one = waiting_event(&mut first_socket, Duration::from_secs(90)).await;
    let other = waiting_event(&mut second_socket, Duration::from_secs(90)).await;
    assert_eq!((one["reason"].as_str(), other["reason"].as_str()), (Some("DAILY_LIMIT"), Some("DAILY_LIMIT")));
    assert_eq!(one["waitingUntil"], other["waitingUntil"], "one cap, one opening");
    let until = instant(&one["waitingUntil"]);
    assert_eq!(arrivals(&stack).await.len(), 5, "exactly the cap left in that day");
    // Operators see the waits: each campaign began waiting once (so far).
    let metrics = stack.http.get(format!("{}/metrics", stack.ops_url(&sender))).send().await.unwrap();
    let metrics = metrics.text().await.unwrap();
    let waits = sample(&metrics, r#"wa_governor_waits_total{reason="DAILY_LIMIT"}"#);
    assert!(waits.is_some_and(|n| n >= 2.0), "{metrics}");
    for id in [first, second] {
        let shown = campaign(&stack, &token, id).await;
        assert_eq!(shown["status"], "RUNNING", "{shown}");
        assert_eq!(shown["waitReason"], "DAILY_LIMIT", "{shown}");
        assert_eq!(instant(&shown["waitingUntil"]), until);
    }
    let (_, accounts) = stack.call(Method::GET, "/api/whatsapp-accounts", &token, None).await;
    let account = &accounts["accounts"][0];
    assert_eq!(accounts["accounts"].as_array().unwrap().len(), 1, "{accounts}");
    // (The API's own settings are the stack's defaults; the count is the number's.)
    assert_eq!((account["sentToday"].as_i64(), account["sentThisHour"].as_i64()), (Some(5), Some(5)), "{accounts}");

    // After each (shortened) day the next five go, nobody twice.
    events_until(&mut first_socket, "completion_update", Duration::from_secs(240)).await;
    events_until(&mut second_socket, "completion_update", Duration::from_secs(240)).await;
    let messages = arrivals(&stack).await;
    assert_eq!(messages.len(), 12);
    let counts = received_counts(&stack).await;
    for phone in first_phones.iter().chain(&second_phones) {
        assert_eq!(counts.get(phone), Some(&1), "{phone}");
    }
    assert!(messages[5].sent_at >= until - chrono::TimeDelta::milliseconds(50), "the sixth waited for the opening");
}

/// The next whole minute at least `lead` ahead, as HH:MM in UTC.
fn next_minute(lead: chrono::TimeDelta) -> (DateTime<Utc>, String) {
    let at = Utc::now() + lead + chrono::TimeDelta::minutes(1);
    let at = at.with_second(0).unwrap().with_nanosecond(0).unwrap();
    (at, at.format("%H:%M").to_string())
}

#[tokio::test]
async fn a_campaign_started_outside_its_sending_hours_waits_and_starts_by_itself() {
    let mut stack = Stack::start().await;
    // A long wait closes the session; the fleet takes the campaign up again.
    stack.set_sender_env("SESSION_WAIT_CLOSE_SECONDS", "3");
    let sender = stack.spawn_sender("solo");
    let token = stack.customer_with_package().await;
    let (opens, start_at) = next_minute(chrono::TimeDelta::seconds(15));
    let end = (opens + chrono::TimeDelta::hours(2)).format("%H:%M").to_string();
    let window = json!({"sendWindow": {"start": start_at, "end": end}, "timezone": "UTC"});
    let (id, phones) = text_campaign(&stack, &token, 4_000, 3, window).await;
    assert_eq!(campaign(&stack, &token, id).await["sendWindow"], json!({"start": start_at, "end": end}));
    let mut socket = stack.websocket(id, &token).await;
    connect_whatsapp(&stack, &token, id, &mut socket).await;
    start(&stack, &token, id).await;

    let waiting = waiting_event(&mut socket, Duration::from_secs(30)).await;
    assert_eq!(waiting["reason"], "OUTSIDE_SENDING_HOURS");
    assert_eq!(instant(&waiting["waitingUntil"]), opens, "it says when it will start");
    let shown = campaign(&stack, &token, id).await;
    assert_eq!(
        (shown["status"].as_str(), shown["waitReason"].as_str()),
        (Some("RUNNING"), Some("OUTSIDE_SENDING_HOURS"))
    );
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(arrivals(&stack).await.is_empty(), "nothing before the window opens");

    let events = events_until(&mut socket, "completion_update", Duration::from_secs(200)).await;
    assert_eq!(events.last().unwrap()["data"]["report"]["sentCount"], 3);
    let messages = arrivals(&stack).await;
    assert_eq!(messages.len(), phones.len());
    assert!(messages.iter().all(|m| m.sent_at >= opens), "every message inside the window");
    let closed = stack.sender_log(&sender).lines().any(|l| l.contains("session ended") && l.contains("Waiting"));
    assert!(closed, "the session closed while waiting");
    assert!(campaign(&stack, &token, id).await["waitReason"].is_null());
}

#[tokio::test]
async fn a_takeover_keeps_the_counters_so_the_cap_holds_across_senders() {
    let mut stack = Stack::start().await;
    stack.set_sender_env("GOVERNOR_DAILY_CAP", "6");
    stack.set_sender_env("GOVERNOR_WARM_UP_RAMP", "none");
    let first = stack.spawn_sender("a");
    let second = stack.spawn_sender("b");
    let token = stack.customer_with_package().await;
    let (id, _) = text_campaign(&stack, &token, 5_000, 12, json!({})).await;
    let mut socket = stack.websocket(id, &token).await;
    connect_whatsapp(&stack, &token, id, &mut socket).await;
    let owner = session_leases::campaign_owner(&stack.db, id).await.unwrap().expect("an owner").sender_id;
    let survivor = if owner == first { second.clone() } else { first.clone() };
    start(&stack, &token, id).await;
    eventually("three messages out", Duration::from_secs(60), || async {
        (arrivals(&stack).await.len() >= 3).then_some(())
    })
    .await;
    stack.kill_sender(&owner);

    let waiting = waiting_event(&mut socket, Duration::from_secs(120)).await;
    assert_eq!(waiting["reason"], "DAILY_LIMIT");
    assert!(stack.sender_alive(&survivor));
    let received = arrivals(&stack).await.len();
    assert!((5..=6).contains(&received), "the cap of 6 held across the takeover: {received} received");
    let counted: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM whatsapp_sends WHERE outcome IN ('PENDING', 'SENT', 'UNCONFIRMED')")
            .fetch_one(&stack.db)
            .await
            .unwrap();
    assert_eq!(counted, 6, "every send that may have left is counted");
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(arrivals(&stack).await.len(), received, "nothing more today");
}
