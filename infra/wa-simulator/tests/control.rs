//! The control API over HTTP, as tests and local runs use it.

use std::time::Duration;

use wa_simulator::{ControlError, DeliveryStatus, Markup, RunningSimulator, SimulatorConfig, UNSUPPORTED_BROWSER};

#[tokio::test]
async fn control_api_round_trip() {
    let config =
        SimulatorConfig { delivery_delay: Duration::from_millis(10), ..SimulatorConfig::quick(Markup::Current) };
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
    let simulator = RunningSimulator::start(SimulatorConfig::quick(Markup::Current)).await.unwrap();
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
    assert!(page.contains(r#"{"bootDelayMs":200,"drift":["send"],"markup":"legacy"}"#), "settings missing");
    assert!(page.contains(r#"<html lang="en""#));
}

#[tokio::test]
async fn a_device_logging_itself_out_leaves_the_phones_list() {
    let simulator = RunningSimulator::start(SimulatorConfig::quick(Markup::Current)).await.unwrap();
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
