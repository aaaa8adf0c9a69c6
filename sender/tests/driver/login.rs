//! QR login, its refresh, the scan, and logout detection.

use std::time::{Duration, Instant};

use base64::{engine::general_purpose::STANDARD, Engine};
use sender::driver::{qr, LoginState, SendError};
use wa_simulator::{ControlError, SimulatorConfig};

use crate::helpers::{phone, quick_simulator, Harness};

#[tokio::test]
async fn qr_sits_in_data_ref_and_refreshes_without_reload() {
    let harness = Harness::with(SimulatorConfig { qr_refresh: Duration::from_millis(1500), ..quick_simulator() }).await;
    let session = harness.open("refresh").await;

    let LoginState::Qr(first) = session.login_state().await.unwrap() else { panic!("expected the QR") };
    assert!(first.starts_with("2@") && first.split(',').count() == 4, "WhatsApp-shaped QR string: {first}");
    let next = session.next_login_state(&LoginState::Qr(first.clone()), Duration::from_secs(5)).await.unwrap();
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

#[tokio::test]
async fn scan_logs_in_and_logout_is_detected() {
    let harness = Harness::start().await;
    let session = harness.open("scan").await;
    let LoginState::Qr(qr) = session.login_state().await.unwrap() else { panic!("a new profile shows the QR") };
    assert!(!session.is_connected().await.unwrap());
    harness.control.scan(&qr, None).await.unwrap();
    let scanned = Instant::now();
    let state = session.next_login_state(&LoginState::Qr(qr), Duration::from_secs(5)).await.unwrap();
    assert_eq!(state, LoginState::LoggedIn);
    // WhatsApp Web switches to the chats about a second after the scan.
    assert!(scanned.elapsed() < Duration::from_millis(1500), "noticed after {:?}", scanned.elapsed());
    assert!(session.is_connected().await.unwrap());
    assert_eq!(harness.control.devices().await.unwrap().len(), 1);

    // "Log out" on the phone's Linked devices screen.
    assert_eq!(harness.control.logout(None).await.unwrap(), 1);
    let state = session.next_login_state(&LoginState::LoggedIn, Duration::from_secs(5)).await.unwrap();
    assert!(matches!(state, LoginState::Qr(_)), "back to the QR, got {state:?}");
    assert!(!session.is_connected().await.unwrap());

    let err = session.send_text(&phone("989121234567"), "hello").await.unwrap_err();
    assert!(matches!(err, SendError::LoggedOut), "{err}");
    assert!(!err.may_have_been_sent());
    assert!(harness.control.messages(None).await.unwrap().is_empty());

    session.close().await.unwrap();
    harness.finish().await;
}
