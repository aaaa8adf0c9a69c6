//! "Log out" from WhatsApp Web's own page: the device is unlinked on
//! WhatsApp (the phone's Linked devices no longer lists it) and the page
//! goes back to the QR; a drifted menu is named.

use std::time::Duration;

use sender::driver::{DriverError, LoginState, Timeouts};
use wa_simulator::Markup;

use crate::{
    helpers::{quick_simulator, test_timeouts, Harness},
    on_every_markup,
};

on_every_markup!(logging_out_unlinks_the_device_and_shows_the_qr);

async fn logging_out_unlinks_the_device_and_shows_the_qr(markup: Markup) {
    let harness = Harness::start(markup).await;
    let session = harness.logged_in("leaving").await;
    assert_eq!(harness.control.devices().await.unwrap().len(), 1, "the phone lists the new device");

    session.log_out().await.unwrap();
    assert!(harness.control.devices().await.unwrap().is_empty(), "the phone no longer lists it");
    let state = session.login_state().await.unwrap();
    assert!(matches!(state, LoginState::Qr(_)), "back to the QR, got {state:?}");
    assert!(!session.is_connected().await.unwrap());
    assert_eq!(session.own_number().await.unwrap(), None, "WhatsApp's record of the number is gone");

    // Asked again (a retried delete): already logged out is fine.
    session.log_out().await.unwrap();

    session.close().await.unwrap();
    harness.finish().await;
}

#[tokio::test]
async fn a_drifted_menu_is_named_and_the_device_stays_linked() {
    // The hook's wait runs out: shorter than usual, long enough for a loaded
    // machine to start Chromium and load the page.
    let timeouts = Timeouts { page: Duration::from_secs(12), ..test_timeouts() };
    let harness = Harness::with_timeouts(quick_simulator(Markup::M2026), timeouts).await;
    let session = harness.logged_in("drifted-menu").await;
    harness.control.drift("menu").await.unwrap();
    assert_eq!(session.restart().await.unwrap(), LoginState::LoggedIn, "the reload draws the drifted menu");

    let err = session.log_out().await.unwrap_err();
    assert!(matches!(err, DriverError::HookMissing { hook: "menu" }), "{err}");
    assert_eq!(harness.control.devices().await.unwrap().len(), 1, "nothing was logged out");
    assert!(session.is_connected().await.unwrap());

    session.close().await.unwrap();
    harness.finish().await;
}
