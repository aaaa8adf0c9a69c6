//! QR login, its refresh, the scan, logout detection, login with a pairing
//! code, and the refusal of a non-English page.

use std::time::{Duration, Instant};

use base64::{engine::general_purpose::STANDARD, Engine};
use sender::driver::{qr, DriverError, LoginState, SendError};
use wa_simulator::{ControlError, Markup, SimulatorConfig};

use crate::{
    helpers::{phone, quick_simulator, Harness},
    on_every_markup,
};

on_every_markup!(qr_sits_in_data_ref_and_refreshes_without_reload, scan_logs_in_and_logout_is_detected);
on_every_markup!(a_pairing_code_links_the_phone_that_types_it);

async fn qr_sits_in_data_ref_and_refreshes_without_reload(markup: Markup) {
    let harness =
        Harness::with(SimulatorConfig { qr_refresh: Duration::from_millis(1500), ..quick_simulator(markup) }).await;
    let session = harness.open("refresh").await;

    let LoginState::Qr(first) = session.login_state().await.unwrap() else { panic!("expected the QR") };
    assert!(first.starts_with("2@") && first.split(',').count() == 4, "WhatsApp-shaped QR string: {first}");
    let next = session.next_login_state(&LoginState::Qr(first.clone()), Duration::from_secs(10)).await.unwrap();
    let LoginState::Qr(second) = next else { panic!("expected a new QR, got {next:?}") };
    assert_ne!(first, second);

    // The refreshed QR is rendered for the frontend as a PNG data URI.
    let payload = qr::qr_code(&second).unwrap();
    assert_eq!(payload.raw, second);
    let png = STANDARD.decode(payload.image.strip_prefix("data:image/png;base64,").unwrap()).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");

    // An expired QR no longer links a device.
    let refused = harness.control.scan(&first, None).await.unwrap_err();
    assert!(matches!(refused, ControlError::Refused { status: 404, .. }), "{refused}");

    session.close().await.unwrap();
    harness.finish().await;
}

async fn scan_logs_in_and_logout_is_detected(markup: Markup) {
    let harness = Harness::start(markup).await;
    let session = harness.open("scan").await;
    let LoginState::Qr(qr) = session.login_state().await.unwrap() else { panic!("a new profile shows the QR") };
    assert!(!session.is_connected().await.unwrap());
    assert_eq!(session.own_number().await.unwrap(), None);
    harness.control.scan(&qr, Some("989121110000")).await.unwrap();
    let scanned = Instant::now();
    let state = session.next_login_state(&LoginState::Qr(qr), Duration::from_secs(15)).await.unwrap();
    assert_eq!(state, LoginState::LoggedIn);
    // WhatsApp Web switches to the chats about a second after the scan (the
    // page polls every 500 ms); a loaded machine gets some slack.
    assert!(scanned.elapsed() < Duration::from_secs(3), "noticed after {:?}", scanned.elapsed());
    assert!(session.is_connected().await.unwrap());
    assert_eq!(harness.control.devices().await.unwrap().len(), 1);
    // WhatsApp's own record of the number: last-wid-md now, last-wid before.
    assert_eq!(session.own_number().await.unwrap().as_deref(), Some("989121110000"));

    // "Log out" on the phone's Linked devices screen.
    assert_eq!(harness.control.logout(None).await.unwrap(), 1);
    let state = session.next_login_state(&LoginState::LoggedIn, Duration::from_secs(15)).await.unwrap();
    assert!(matches!(state, LoginState::Qr(_)), "back to the QR, got {state:?}");
    assert!(!session.is_connected().await.unwrap());

    let err = session.send_text(&phone("989121234567"), "hello").await.unwrap_err();
    assert!(matches!(err, SendError::LoggedOut), "{err}");
    assert!(!err.may_have_been_sent());
    assert!(harness.control.messages(None).await.unwrap().is_empty());

    session.close().await.unwrap();
    harness.finish().await;
}

async fn a_pairing_code_links_the_phone_that_types_it(markup: Markup) {
    let harness = Harness::start(markup).await;
    let session = harness.open("pairing").await;
    let owner = phone("989121234567");

    let code = session.request_pairing_code(&owner).await.unwrap();
    assert!(code.len() == 9 && code.as_bytes()[4] == b'-', "shown as XXXX-XXXX: {code}");
    assert_eq!(session.login_state().await.unwrap(), LoginState::PairingCode(code.clone()));

    // Another phone cannot use it; the owner's phone can.
    assert!(harness.control.pair(&code, "989350000000").await.is_err());
    harness.control.pair(&code, owner.as_str()).await.unwrap();
    let state = session.next_login_state(&LoginState::PairingCode(code), Duration::from_secs(15)).await.unwrap();
    assert_eq!(state, LoginState::LoggedIn);
    assert_eq!(session.own_number().await.unwrap().as_deref(), Some(owner.as_str()));

    session.close().await.unwrap();
    harness.finish().await;
}

#[tokio::test]
async fn a_page_not_in_english_is_refused_by_name() {
    let harness = Harness::with(SimulatorConfig { lang: "fa".into(), ..quick_simulator(Markup::M2026) }).await;
    let refused = harness.launcher.open(&harness.profile("persian")).await.err().expect("refused");
    assert!(matches!(&refused, DriverError::UiLanguage(lang) if lang == "fa"), "{refused}");
    assert!(refused.to_string().contains("not English"), "{refused}");
    harness.finish().await;
}
