//! A profile snapshot moves a logged-in session to a new browser (as a
//! takeover from S3 would) without a new QR scan.

use sender::driver::{profile::unpack_profile, LoginState, SendOutcome};

use crate::helpers::{phone, Harness};

#[tokio::test]
async fn a_snapshot_restores_the_session_without_a_scan() {
    let harness = Harness::start(wa_simulator::Markup::M2026).await;
    let session = harness.logged_in("original").await;
    let to = phone("989121234567");

    // Right after the login, as the fleet does; the session goes on.
    let (snapshot, session) = harness.launcher.snapshot(session).await.unwrap();
    assert_eq!(session.login_state().await.unwrap(), LoginState::LoggedIn);
    assert!(matches!(session.send_text(&to, "before the move").await.unwrap(), SendOutcome::Sent { .. }));
    session.close().await.unwrap();

    let restored = harness.profile("restored");
    let target = restored.clone();
    tokio::task::spawn_blocking(move || unpack_profile(&snapshot, &target)).await.unwrap().unwrap();
    let session = harness.open("restored").await;
    assert_eq!(session.login_state().await.unwrap(), LoginState::LoggedIn);

    assert!(matches!(session.send_text(&to, "after the move").await.unwrap(), SendOutcome::Sent { .. }));
    let devices = harness.control.devices().await.unwrap();
    assert_eq!(devices.len(), 1, "still the one linked device");
    let received = harness.control.messages(Some(to.as_str())).await.unwrap();
    assert_eq!(received.len(), 2);
    assert!(received.iter().all(|m| m.device == devices[0].id));

    session.close().await.unwrap();
    harness.finish().await;
}
