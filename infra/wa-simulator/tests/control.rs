//! The control API over HTTP, as tests and local runs use it.

use std::time::Duration;

use wa_simulator::{
    CappingStatus, ControlError, DeliveryStatus, Markup, NewChatCap, RunningSimulator, SimulatorConfig,
    UNSUPPORTED_BROWSER,
};

#[tokio::test]
async fn control_api_round_trip() {
    let config = SimulatorConfig { delivery_delay: Duration::from_millis(10), ..SimulatorConfig::quick(Markup::M2025) };
    let simulator = RunningSimulator::start(config).await.unwrap();
    let control = simulator.control();
    let http = reqwest::Client::new();
    let base = simulator.base_url();

    // The page backend: a login page gets a pairing and its QR.
    let pairing: serde_json::Value =
        http.post(format!("{base}/sim/pairing")).send().await.unwrap().json().await.unwrap();
    let pairing = pairing["pairing"].as_str().unwrap();
    let shown: serde_json::Value =
        http.get(format!("{base}/sim/pairing/{pairing}")).send().await.unwrap().json().await.unwrap();
    let qr = shown["ref"].as_str().unwrap();
    assert!(shown["modules"].as_array().unwrap().len() > 21, "a drawable QR");

    let unknown = control.scan("2@nothing", None).await.unwrap_err();
    assert!(matches!(unknown, ControlError::Refused { status: 404, .. }), "{unknown}");
    let device = control.scan(qr, Some("+98 912 000 0001")).await.unwrap();
    assert_eq!(device.account, "989120000001");
    assert_eq!(control.devices().await.unwrap(), vec![device]);

    control.not_on_whatsapp("0098 912 111 1111").await.unwrap();
    assert!(control.messages(Some("989121111111")).await.unwrap().is_empty());
    assert_eq!(control.reply("989121111111", "who is this?").await.unwrap(), 0, "nobody wrote to that phone");
    assert_eq!(control.logout(None).await.unwrap(), 1);
    assert!(control.devices().await.unwrap().is_empty());
    control.reset().await.unwrap();

    // Headless Chromium's own user agent gets WhatsApp's refusal page.
    let page = http
        .get(format!("{base}/send?phone=989121234567"))
        .header("user-agent", "Mozilla/5.0 (X11; Linux x86_64) HeadlessChrome/131.0.0.0 Safari/537.36")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains(UNSUPPORTED_BROWSER));
}

#[tokio::test]
async fn a_pairing_code_links_the_phone_that_types_it() {
    let simulator = RunningSimulator::start(SimulatorConfig::quick(Markup::M2026)).await.unwrap();
    let control = simulator.control();
    let http = reqwest::Client::new();
    let base = simulator.base_url();
    let pairing: serde_json::Value =
        http.post(format!("{base}/sim/pairing")).send().await.unwrap().json().await.unwrap();
    let pairing = pairing["pairing"].as_str().unwrap();
    let asked = http
        .post(format!("{base}/sim/pairing/{pairing}/code"))
        .json(&serde_json::json!({"phone": "+98 912 123 4567"}))
        .send()
        .await
        .unwrap();
    assert_eq!(asked.status(), 200);
    let code = asked.json::<serde_json::Value>().await.unwrap()["code"].as_str().unwrap().to_owned();

    let refused = control.pair(&code, "989120000000").await.unwrap_err();
    assert!(matches!(refused, ControlError::Refused { status: 404, .. }), "{refused}");
    let device = control.pair(&format!("{}-{}", &code[..4], &code[4..]), "989121234567").await.unwrap();
    assert_eq!(device.account, "989121234567");
    assert_eq!(control.devices().await.unwrap(), vec![device]);
}

#[tokio::test]
async fn drift_accepts_only_known_hooks_and_receipts_move_messages_forward() {
    let simulator = RunningSimulator::start(SimulatorConfig::quick(Markup::Legacy)).await.unwrap();
    let control = simulator.control();
    control.drift("send").await.unwrap();
    let refused = control.drift("everything").await.unwrap_err();
    assert!(matches!(refused, ControlError::Refused { status: 400, .. }), "{refused}");
    // Receipts for a phone that got nothing change nothing.
    control.receipts("989121234567", DeliveryStatus::Read).await.unwrap();
    assert!(control.messages(None).await.unwrap().is_empty());

    // The page carries the markup, the boot delay and the drift.
    let page = reqwest::Client::new()
        .get(simulator.base_url())
        .header("user-agent", "Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0.0.0 Safari/537.36")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains(r#"{"bootDelayMs":200,"drift":["send"],"markup":"legacy","whatsNew":false}"#),
        "settings missing"
    );
    assert!(page.contains(r#"<html lang="en""#));
}

/// The page as a desktop Chrome gets it.
async fn page_settings(simulator: &RunningSimulator) -> String {
    reqwest::Client::new()
        .get(simulator.base_url())
        .header("user-agent", "Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0.0.0 Safari/537.36")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

#[tokio::test]
async fn whats_new_is_on_for_2026_unless_turned_off_and_never_for_2025() {
    let on = RunningSimulator::start(SimulatorConfig::quick(Markup::M2026)).await.unwrap();
    assert!(page_settings(&on).await.contains(r#""markup":"2026","whatsNew":true}"#));
    let off = RunningSimulator::start(SimulatorConfig { whats_new: false, ..SimulatorConfig::quick(Markup::M2026) })
        .await
        .unwrap();
    assert!(page_settings(&off).await.contains(r#""markup":"2026","whatsNew":false}"#));
    let old = RunningSimulator::start(SimulatorConfig::quick(Markup::M2025)).await.unwrap();
    assert!(page_settings(&old).await.contains(r#""markup":"2025","whatsNew":false}"#));
}

/// A linked device's token for `account`, as its page would hold it.
async fn link(simulator: &RunningSimulator, account: &str) -> String {
    let http = reqwest::Client::new();
    let base = simulator.base_url();
    let pairing: serde_json::Value =
        http.post(format!("{base}/sim/pairing")).send().await.unwrap().json().await.unwrap();
    let pairing = pairing["pairing"].as_str().unwrap().to_owned();
    let shown: serde_json::Value =
        http.get(format!("{base}/sim/pairing/{pairing}")).send().await.unwrap().json().await.unwrap();
    simulator.control().scan(shown["ref"].as_str().unwrap(), Some(account)).await.unwrap();
    let linked: serde_json::Value =
        http.get(format!("{base}/sim/pairing/{pairing}")).send().await.unwrap().json().await.unwrap();
    linked["token"].as_str().unwrap().to_owned()
}

/// What the page of `token` sees with the chat of `phone` open.
async fn page_state(simulator: &RunningSimulator, token: &str, phone: &str) -> serde_json::Value {
    reqwest::Client::new()
        .get(format!("{}/sim/state", simulator.base_url()))
        .query(&[("token", token), ("phone", phone)])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// The page sends a text as WhatsApp Web would; the HTTP status.
async fn page_sends(simulator: &RunningSimulator, token: &str, id: &str, to: &str) -> u16 {
    let body = serde_json::json!({ "token": token, "id": id, "to": to, "text": "hello" });
    let answer =
        reqwest::Client::new().post(format!("{}/sim/messages", simulator.base_url())).json(&body).send().await.unwrap();
    answer.status().as_u16()
}

#[tokio::test]
async fn a_contact_writing_first_opens_an_unread_chat_read_in_time_order() {
    let simulator = RunningSimulator::start(SimulatorConfig::quick(Markup::M2026)).await.unwrap();
    let control = simulator.control();
    let token = link(&simulator, "989120000001").await;

    let id = control.inbound("+98 912 123 4567", "989120000001", "Hi, is the offer still on?").await.unwrap();
    assert!(id.starts_with("3EB0"), "{id}");
    let refused = control.inbound("989121234567", "", "to nobody").await.unwrap_err();
    assert!(matches!(refused, ControlError::Refused { status: 400, .. }), "{refused}");

    let listed = page_state(&simulator, &token, "").await;
    assert_eq!(listed["chats"], serde_json::json!(["989121234567"]), "the chat is listed");
    assert_eq!(listed["unread"], serde_json::json!({ "989121234567": 1 }));

    assert_eq!(page_sends(&simulator, &token, "3EB0AA01", "989121234567").await, 200);
    assert_eq!(control.reply("989121234567", "thanks").await.unwrap(), 1);
    let opened = page_state(&simulator, &token, "989121234567").await;
    let kinds: Vec<&str> =
        opened["chat"]["timeline"].as_array().unwrap().iter().map(|m| m["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["in", "out", "in"], "their first message, our answer, their reply");
    assert_eq!(opened["chat"]["timeline"][0]["text"], "Hi, is the offer still on?");
    assert_eq!(opened["chat"]["timelocked"], false);
    assert_eq!(page_state(&simulator, &token, "").await["unread"], serde_json::json!({}), "opening read them");
}

#[tokio::test]
async fn a_timelock_refuses_new_chats_lets_answers_through_and_lifts() {
    let simulator = RunningSimulator::start(SimulatorConfig::quick(Markup::M2026)).await.unwrap();
    let control = simulator.control();
    let token = link(&simulator, "989120000001").await;
    control.inbound("989121234567", "989120000001", "hello?").await.unwrap();

    let until = chrono::Utc::now() + chrono::Duration::hours(2);
    control.timelock("+98 912 000 0001", Some(until)).await.unwrap();
    let state = page_state(&simulator, &token, "989125555555").await;
    assert!(state["timelock"]["until"].is_string(), "the page knows: {state}");
    assert_eq!(state["chat"]["timelocked"], true, "a new contact's chat has the timelock bar");
    assert_eq!(page_sends(&simulator, &token, "3EB0BB01", "989125555555").await, 463);
    assert!(control.messages(Some("989125555555")).await.unwrap().is_empty(), "nothing was recorded");

    assert_eq!(page_state(&simulator, &token, "989121234567").await["chat"]["timelocked"], false);
    assert_eq!(page_sends(&simulator, &token, "3EB0BB02", "989121234567").await, 200, "an answer goes through");
    assert_eq!(control.messages(Some("989121234567")).await.unwrap().len(), 1);

    control.timelock("989120000001", None).await.unwrap();
    let lifted = page_state(&simulator, &token, "989125555555").await;
    assert!(lifted["timelock"].is_null());
    assert_eq!(lifted["chat"]["timelocked"], false);
    assert_eq!(page_sends(&simulator, &token, "3EB0BB03", "989125555555").await, 200);

    // A past end lifts it too, and reset forgets it.
    control.timelock("989120000001", Some(chrono::Utc::now() - chrono::Duration::minutes(1))).await.unwrap();
    assert!(page_state(&simulator, &token, "").await["timelock"].is_null());
    control.timelock("989120000001", Some(until)).await.unwrap();
    control.reset().await.unwrap();
    let token = link(&simulator, "989120000001").await;
    assert!(page_state(&simulator, &token, "").await["timelock"].is_null(), "reset lifted it");
}

#[tokio::test]
async fn a_device_logging_itself_out_leaves_the_phones_list() {
    let simulator = RunningSimulator::start(SimulatorConfig::quick(Markup::M2026)).await.unwrap();
    let control = simulator.control();
    let http = reqwest::Client::new();
    let base = simulator.base_url();
    let (mut tokens, mut linked_devices) = (Vec::new(), Vec::new());
    for _ in 0..2 {
        let pairing: serde_json::Value =
            http.post(format!("{base}/sim/pairing")).send().await.unwrap().json().await.unwrap();
        let pairing = pairing["pairing"].as_str().unwrap().to_owned();
        let shown: serde_json::Value =
            http.get(format!("{base}/sim/pairing/{pairing}")).send().await.unwrap().json().await.unwrap();
        linked_devices.push(control.scan(shown["ref"].as_str().unwrap(), Some("989120000001")).await.unwrap());
        let linked: serde_json::Value =
            http.get(format!("{base}/sim/pairing/{pairing}")).send().await.unwrap().json().await.unwrap();
        tokens.push(linked["token"].as_str().unwrap().to_owned());
    }
    assert_eq!(control.devices().await.unwrap().len(), 2);

    // The page's "Log out" → "Log out" posts its own token.
    let log_out = |token: String| http.post(format!("{base}/sim/logout")).json(&serde_json::json!({ "token": token }));
    let answer = log_out(tokens[0].clone()).send().await.unwrap();
    assert_eq!(answer.status(), 200);
    let left = control.devices().await.unwrap();
    assert_eq!(left, vec![linked_devices[1].clone()], "only the device that logged out left the phone's list");
    let state = http.get(format!("{base}/sim/state")).query(&[("token", &tokens[0])]).send().await.unwrap();
    assert_eq!(state.status(), 401, "its page goes back to the QR");

    assert_eq!(log_out(tokens[0].clone()).send().await.unwrap().status(), 401, "already unlinked");
}

#[tokio::test]
async fn a_new_chat_cap_reaches_the_page_and_counts_messages_to_people_who_never_wrote() {
    let simulator = RunningSimulator::start(SimulatorConfig::quick(Markup::M2026)).await.unwrap();
    let control = simulator.control();
    let token = link(&simulator, "989120000001").await;
    assert!(page_state(&simulator, &token, "").await["quota"].is_null(), "none until the server reports one");

    let ends = chrono::DateTime::parse_from_rfc3339("2026-10-01T00:00:00Z").unwrap().to_utc();
    let set = control.quota("+98 912 000 0001", 14, 20, CappingStatus::FirstWarning, Some(ends)).await.unwrap();
    assert_eq!(set, NewChatCap { status: CappingStatus::FirstWarning, used: 14, total: 20, cycle_ends_at: ends });
    let quota = page_state(&simulator, &token, "").await["quota"].clone();
    assert_eq!(
        quota,
        serde_json::json!({ "status": "FIRST_WARNING", "used": 14, "total": 20, "cycleEndsAt": "2026-10-01T00:00:00Z" })
    );

    control.inbound("989121234567", "989120000001", "hello?").await.unwrap();
    assert_eq!(page_sends(&simulator, &token, "3EB0CC01", "989121234567").await, 200);
    assert_eq!(page_state(&simulator, &token, "").await["quota"]["used"], 14, "an answer costs nothing");
    assert_eq!(page_sends(&simulator, &token, "3EB0CC02", "989125555555").await, 200);
    assert_eq!(page_state(&simulator, &token, "").await["quota"]["used"], 15, "a message to a stranger counts");

    // Without an end, the cycle is a month from now.
    let monthly = control.quota("989120000001", 0, 20, CappingStatus::None, None).await.unwrap();
    let days = (monthly.cycle_ends_at - chrono::Utc::now()).num_days();
    assert!((29..=30).contains(&days), "{days} days");
    control.reset().await.unwrap();
    let token = link(&simulator, "989120000001").await;
    assert!(page_state(&simulator, &token, "").await["quota"].is_null(), "reset forgets it");
}

#[tokio::test]
async fn a_quota_with_an_unknown_status_or_no_phone_is_refused_by_name() {
    let simulator = RunningSimulator::start(SimulatorConfig::quick(Markup::M2026)).await.unwrap();
    let post = |body: serde_json::Value| {
        reqwest::Client::new().post(format!("{}/__control/quota", simulator.base_url())).json(&body).send()
    };
    let answer =
        post(serde_json::json!({ "phone": "989120000001", "used": 1, "total": 20, "status": "WARNED" })).await.unwrap();
    assert_eq!(answer.status(), 400);
    let body: serde_json::Value = answer.json().await.unwrap();
    let message = body["error"].as_str().unwrap();
    assert!(message.contains("`WARNED`") && message.contains("FIRST_WARNING"), "{message}");

    let answer = post(serde_json::json!({ "phone": "none", "used": 1, "total": 20, "status": "NONE" })).await.unwrap();
    assert_eq!(answer.status(), 400);
    let over = post(serde_json::json!({ "phone": "989120000001", "used": 21, "total": 20, "status": "CAPPED" }));
    assert_eq!(over.await.unwrap().status(), 400);
    let refused = simulator.control().quota("", 0, 20, CappingStatus::None, None).await.unwrap_err();
    assert!(matches!(refused, ControlError::Refused { status: 400, .. }), "{refused}");
}
