//! The WebSocket API through the local gateway, with a real WebSocket client,
//! and events pushed through the real SDK management client.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use shared::realtime::{CampaignEvent, CompletionReport, Progress, QrCodePayload};
use tokio::net::TcpStream;
use tokio_tungstenite::{connect_async, tungstenite::Message, MaybeTlsStream, WebSocketStream};

use crate::helpers::TestApp;

type Client = WebSocketStream<MaybeTlsStream<TcpStream>>;

async fn campaign_of(app: &TestApp, user_id: i64) -> i64 {
    sqlx::query("INSERT INTO campaigns (user_id, title, message) VALUES (?, 'کمپین آزمایشی', 'سلام')")
        .bind(user_id)
        .execute(&app.db)
        .await
        .unwrap()
        .last_insert_id() as i64
}

fn ws_url(app: &TestApp, query: &str) -> String {
    format!("{}/ws/campaigns?{query}", app.address.replace("http://", "ws://"))
}

async fn connect(app: &TestApp, query: &str) -> Client {
    let (client, _) = connect_async(ws_url(app, query)).await.expect("handshake accepted");
    client
}

/// The handshake status of a refused connection.
async fn refused(app: &TestApp, query: &str) -> u16 {
    match connect_async(ws_url(app, query)).await {
        Ok(_) => panic!("connection accepted: {query}"),
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => response.status().as_u16(),
        Err(other) => panic!("unexpected error: {other}"),
    }
}

async fn next_json(client: &mut Client) -> Value {
    loop {
        let message = tokio::time::timeout(Duration::from_secs(5), client.next())
            .await
            .expect("a message within 5 s")
            .expect("socket open")
            .expect("no socket error");
        if let Message::Text(text) = message {
            return serde_json::from_str(&text).unwrap();
        }
    }
}

async fn nothing_arrives(client: &mut Client) {
    let got = tokio::time::timeout(Duration::from_millis(300), client.next()).await;
    assert!(got.is_err(), "unexpected message: {got:?}");
}

async fn live_connections(app: &TestApp) -> i64 {
    app.count("ws_connections").await
}

fn all_six() -> Vec<CampaignEvent> {
    vec![
        CampaignEvent::CampaignUpdate {
            id: 0,
            title: Some("کمپین آزمایشی".into()),
            status: "RUNNING".into(),
            progress: Progress::new(20, 1, 0, 0),
            started_at: Some(chrono::Utc::now()),
        },
        CampaignEvent::ProgressUpdate { progress: Progress::new(20, 5, 1, 2) },
        CampaignEvent::StatusUpdate { status: "ready".into(), message: "WhatsApp connected successfully".into() },
        CampaignEvent::ErrorUpdate { error: "WhatsApp logged out".into() },
        CampaignEvent::CompletionUpdate {
            report: CompletionReport {
                total_recipients: 20,
                sent_count: 18,
                failed_count: 2,
                delivered_count: 10,
                delivery_rate: 90.0,
            },
        },
        CampaignEvent::QrCode {
            qr_code: QrCodePayload {
                raw: "2@abc".into(),
                url: "data:,2@abc".into(),
                image: "data:image/png;base64,iVBO".into(),
            },
        },
    ]
}

#[tokio::test]
async fn the_owner_receives_every_event_type() {
    let app = TestApp::spawn().await;
    let account = app.register().await;
    let session = app.login(&account).await;
    let campaign = campaign_of(&app, account.id).await;
    // The old client also sends userId; it is accepted and not trusted.
    let mut client = connect(&app, &format!("campaignId={campaign}&userId=999&token={}", session.access_token)).await;

    for event in all_six() {
        let report = app.ctx.pusher.push(campaign, &event).await;
        assert_eq!(report.delivered, 1, "{event:?}");
        let wire = next_json(&mut client).await;
        assert_eq!(wire["type"], event.kind());
        assert_eq!(wire["campaignId"], campaign);
        assert!(wire["data"]["timestamp"].as_str().is_some_and(|t| t.ends_with('Z')), "{wire}");
    }
    // Spot-check the contract shapes.
    let qr = CampaignEvent::QrCode { qr_code: QrCodePayload { raw: "r".into(), url: "u".into(), image: "i".into() } };
    app.ctx.pusher.push(campaign, &qr).await;
    assert_eq!(next_json(&mut client).await["data"]["qrCode"], json!({"raw": "r", "url": "u", "image": "i"}));
    let progress = CampaignEvent::ProgressUpdate { progress: Progress::new(4, 1, 1, 0) };
    app.ctx.pusher.push(campaign, &progress).await;
    assert_eq!(
        next_json(&mut client).await["data"]["progress"],
        json!({"total": 4, "sent": 1, "failed": 1, "delivered": 0, "percentage": 50.0})
    );
}

#[tokio::test]
async fn no_token_a_bad_token_or_someone_elses_campaign_is_refused() {
    let app = TestApp::spawn().await;
    let alice = app.register().await;
    let bob = app.register().await;
    let bob_session = app.login(&bob).await;
    let alices = campaign_of(&app, alice.id).await;

    assert_eq!(refused(&app, &format!("campaignId={alices}&userId={}", alice.id)).await, 401);
    assert_eq!(refused(&app, &format!("campaignId={alices}&token=not.a.jwt")).await, 401);
    // Claiming to be Alice does not help Bob.
    let query = format!("campaignId={alices}&userId={}&token={}", alice.id, bob_session.access_token);
    assert_eq!(refused(&app, &query).await, 404);
    assert_eq!(refused(&app, &format!("token={}", bob_session.access_token)).await, 400);
    assert_eq!(live_connections(&app).await, 0);
}

#[tokio::test]
async fn ping_and_subscribing_to_another_own_campaign() {
    let app = TestApp::spawn().await;
    let alice = app.register().await;
    let bob = app.register().await;
    let session = app.login(&alice).await;
    let first = campaign_of(&app, alice.id).await;
    let second = campaign_of(&app, alice.id).await;
    let bobs = campaign_of(&app, bob.id).await;
    let mut client = connect(&app, &format!("campaignId={first}&token={}", session.access_token)).await;

    client.send(Message::Text(r#"{"type":"ping"}"#.into())).await.unwrap();
    assert_eq!(next_json(&mut client).await, json!({"type": "pong"}));
    client.send(Message::Text("garbage".into())).await.unwrap();
    assert_eq!(next_json(&mut client).await["type"], "error");

    client.send(Message::Text(json!({"type": "subscribe", "campaignId": second}).to_string().into())).await.unwrap();
    assert_eq!(next_json(&mut client).await, json!({"type": "subscribed", "campaignId": second}));
    client.send(Message::Text(json!({"type": "subscribe", "campaignId": bobs}).to_string().into())).await.unwrap();
    assert_eq!(next_json(&mut client).await["type"], "error");

    let event = CampaignEvent::ErrorUpdate { error: "x".into() };
    app.ctx.pusher.push(second, &event).await;
    assert_eq!(next_json(&mut client).await["campaignId"], second);
    assert_eq!(app.ctx.pusher.push(bobs, &event).await.delivered, 0);
    nothing_arrives(&mut client).await;
}

#[tokio::test]
async fn a_socket_follows_an_own_whatsapp_number_and_its_campaigns_hear_it_too() {
    use shared::repo::whatsapp_accounts;

    let app = TestApp::spawn().await;
    let alice = app.register().await;
    let bob = app.register().await;
    let session = app.login(&alice).await;
    let campaign = campaign_of(&app, alice.id).await;
    let other = campaign_of(&app, alice.id).await;
    let number = whatsapp_accounts::create_linking(&app.db, alice.id).await.unwrap();
    whatsapp_accounts::attach_campaign(&app.db, campaign, number).await.unwrap();
    let bobs = whatsapp_accounts::create_linking(&app.db, bob.id).await.unwrap();
    // One socket follows the number itself, another a campaign sending from it.
    let mut follower = connect(&app, &format!("campaignId={other}&token={}", session.access_token)).await;
    let mut campaign_socket = connect(&app, &format!("campaignId={campaign}&token={}", session.access_token)).await;

    follower.send(Message::Text(json!({"type": "subscribe", "accountId": number}).to_string().into())).await.unwrap();
    assert_eq!(next_json(&mut follower).await, json!({"type": "subscribed", "accountId": number}));
    follower.send(Message::Text(json!({"type": "subscribe", "accountId": bobs}).to_string().into())).await.unwrap();
    assert_eq!(next_json(&mut follower).await["type"], "error");

    let qr = CampaignEvent::QrCode { qr_code: shared::qr::qr_code("2@ref,key,key,key").unwrap() };
    assert_eq!(app.ctx.pusher.push_account(number, &qr).await.delivered, 2);
    let heard = next_json(&mut follower).await;
    assert_eq!((heard["type"].as_str(), heard["accountId"].as_i64()), (Some("qr_code"), Some(number)));
    assert!(heard.get("campaignId").is_none(), "{heard}");
    let heard = next_json(&mut campaign_socket).await;
    assert_eq!((heard["accountId"].as_i64(), heard["campaignId"].as_i64()), (Some(number), Some(campaign)));
    assert_eq!(heard["data"]["qrCode"]["raw"], "2@ref,key,key,key");
    assert_eq!(app.ctx.pusher.push_account(bobs, &qr).await.delivered, 0);
    nothing_arrives(&mut follower).await;
}

#[tokio::test]
async fn closed_sockets_are_forgotten() {
    let app = TestApp::spawn().await;
    let account = app.register().await;
    let session = app.login(&account).await;
    let campaign = campaign_of(&app, account.id).await;

    // A clean close runs $disconnect.
    let mut client = connect(&app, &format!("campaignId={campaign}&token={}", session.access_token)).await;
    assert_eq!(live_connections(&app).await, 1);
    client.close(None).await.unwrap();
    for _ in 0..50 {
        if live_connections(&app).await == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(live_connections(&app).await, 0);

    // A connection whose $disconnect never arrived (API Gateway does not
    // guarantee it): the next push meets 410 Gone and removes the row.
    sqlx::query("INSERT INTO ws_connections (connection_id, user_id, expires_at) VALUES ('Zm9yZ290dGVu=', ?, NOW(3) + INTERVAL 1 HOUR)")
        .bind(account.id)
        .execute(&app.db)
        .await
        .unwrap();
    sqlx::query("INSERT INTO ws_subscriptions (connection_id, campaign_id) VALUES ('Zm9yZ290dGVu=', ?)")
        .bind(campaign)
        .execute(&app.db)
        .await
        .unwrap();
    let report = app.ctx.pusher.push(campaign, &CampaignEvent::ErrorUpdate { error: "x".into() }).await;
    assert_eq!((report.delivered, report.gone), (0, 1));
    assert_eq!(live_connections(&app).await, 0);
}

#[tokio::test]
async fn two_hundred_clients_all_receive_an_event() {
    let app = TestApp::spawn().await;
    let account = app.register().await;
    let session = app.login(&account).await;
    let campaign = campaign_of(&app, account.id).await;
    let query = format!("campaignId={campaign}&token={}", session.access_token);
    let mut clients = Vec::new();
    for _ in 0..200 {
        clients.push(connect(&app, &query).await);
    }
    let report = app
        .ctx
        .pusher
        .push(campaign, &CampaignEvent::StatusUpdate { status: "ready".into(), message: "ok".into() })
        .await;
    assert_eq!(report.delivered, 200, "{report:?}");
    let received = futures_util::future::join_all(clients.iter_mut().map(next_json)).await;
    assert!(received.iter().all(|event| event["type"] == "status_update"));
}
