//! A ban or a logout ends the user's live view: every open WebSocket of the
//! user is closed through the management API (`DeleteConnection`, served by
//! the local gateway as API Gateway would) and its rows are forgotten.

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use reqwest::StatusCode;
use serde_json::json;
use tokio::net::TcpStream;
use tokio_tungstenite::{connect_async, tungstenite::Message, MaybeTlsStream, WebSocketStream};

use crate::helpers::{expect_status, Session, TestApp};

type Client = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// A socket of the session's user following one of its campaigns.
async fn open_socket(app: &TestApp, user_id: i64, session: &Session) -> Client {
    let campaign = app.insert_campaign(user_id, "DRAFT").await;
    let url = format!(
        "{}/ws/campaigns?campaignId={campaign}&token={}",
        app.address.replace("http://", "ws://"),
        session.access_token
    );
    let (client, _) = connect_async(url).await.expect("handshake accepted");
    client
}

async fn connections_of(app: &TestApp, user_id: i64) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM ws_connections WHERE user_id = ?")
        .bind(user_id)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

/// Waits (polling, up to 5 s) for the server to close the socket: a close
/// frame, or the stream ending.
async fn closed_by_server(client: &mut Client) {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, client.next()).await {
            Err(_) => panic!("the socket is still open after 5 s"),
            Ok(None) | Ok(Some(Err(_))) | Ok(Some(Ok(Message::Close(_)))) => return,
            Ok(Some(Ok(_))) => continue,
        }
    }
}

/// The socket is still open: nothing ends it within a short wait.
async fn still_open(client: &mut Client) {
    let got = tokio::time::timeout(Duration::from_millis(300), client.next()).await;
    assert!(got.is_err(), "the socket was touched: {got:?}");
}

#[tokio::test]
async fn a_ban_closes_the_users_sockets() {
    let app = TestApp::spawn().await;
    let (_, admin) = app.staff("ADMIN").await;
    let (account, session) = app.user().await;
    let (bystander, bystander_session) = app.user().await;
    let mut first = open_socket(&app, account.id, &session).await;
    let mut second = open_socket(&app, account.id, &session).await;
    let mut other = open_socket(&app, bystander.id, &bystander_session).await;
    assert_eq!(connections_of(&app, account.id).await, 2);

    let path = format!("/api/admin/users/{}/status", account.id);
    expect_status(app.patch_auth(&path, &admin.access_token, &json!({"status": "BANNED"})).await, StatusCode::OK).await;

    closed_by_server(&mut first).await;
    closed_by_server(&mut second).await;
    assert_eq!(connections_of(&app, account.id).await, 0);
    // Another user's socket is left alone.
    still_open(&mut other).await;
    assert_eq!(connections_of(&app, bystander.id).await, 1);
    // And the banned user cannot open a new one.
    let campaign = app.insert_campaign(account.id, "DRAFT").await;
    let url = format!(
        "{}/ws/campaigns?campaignId={campaign}&token={}",
        app.address.replace("http://", "ws://"),
        session.access_token
    );
    match connect_async(url).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => assert_eq!(response.status().as_u16(), 403),
        other => panic!("a banned user's socket was not refused: {:?}", other.map(|_| ())),
    }
}

#[tokio::test]
async fn a_logout_closes_the_users_sockets() {
    let app = TestApp::spawn().await;
    let (account, session) = app.user().await;
    let mut socket = open_socket(&app, account.id, &session).await;
    assert_eq!(connections_of(&app, account.id).await, 1);

    let response =
        app.post_auth("/api/auth/logout", &session.access_token, &json!({"refreshToken": session.refresh_token})).await;
    expect_status(response, StatusCode::OK).await;

    closed_by_server(&mut socket).await;
    assert_eq!(connections_of(&app, account.id).await, 0);
}

#[tokio::test]
async fn closing_a_user_without_sockets_or_with_gone_ones_is_quiet() {
    let app = TestApp::spawn().await;
    let (account, _) = app.user().await;
    assert_eq!(app.ctx.pusher.close_user(account.id).await, shared::realtime::CloseReport::default());
    // A row whose socket is already gone (its $disconnect never came).
    sqlx::query(
        "INSERT INTO ws_connections (connection_id, user_id, expires_at) \
         VALUES ('Z29uZS1zb2NrZXQ=', ?, NOW(3) + INTERVAL 1 HOUR)",
    )
    .bind(account.id)
    .execute(&app.db)
    .await
    .unwrap();
    let report = app.ctx.pusher.close_user(account.id).await;
    assert_eq!((report.closed, report.gone, report.failed), (0, 1, 0));
    assert_eq!(connections_of(&app, account.id).await, 0);
}
