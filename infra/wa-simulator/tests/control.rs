//! The control API over HTTP, as tests and local runs use it.

use std::time::Duration;

use wa_simulator::{ControlError, RunningSimulator, SimulatorConfig, UNSUPPORTED_BROWSER};

#[tokio::test]
async fn control_api_round_trip() {
    let config = SimulatorConfig { qr_refresh: Duration::from_secs(20), delivery_delay: Duration::from_millis(10) };
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
