//! The session endpoints as the API answers them: every refusal of a start,
//! the state machine of start/pause/resume, the command each change sends to
//! the sender that owns the session, cleanup, deleting a running campaign,
//! and another user's campaign. A test queue stands in for that sender's
//! inbox; the sender itself is exercised end to end in `sender/tests/fleet`.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::{
    campaign_helpers::{commands_in, create_campaign, delete_auth, import, inbox, linked, subscribed, user, User},
    helpers::{expect_error, expect_status, stand_in_sender, TestApp},
};

const LIST: &str = "phone\n09120000001\n09120000002\n09120000003\n";

async fn post(app: &TestApp, user: &User, id: i64, action: &str) -> reqwest::Response {
    app.post_auth(&format!("/api/campaigns/{id}/{action}"), &user.token, &json!({})).await
}

/// The kinds of the commands waiting on `queue`, in order.
async fn kinds(app: &TestApp, queue: &str) -> Vec<String> {
    commands_in(app, queue)
        .await
        .iter()
        .map(|body| serde_json::from_str::<Value>(body).unwrap()["kind"].as_str().unwrap().to_owned())
        .collect()
}

async fn reserved(app: &TestApp, id: i64) -> Option<i64> {
    sqlx::query_scalar("SELECT reserved FROM quota_reservations WHERE campaign_id = ?")
        .bind(id)
        .fetch_optional(&app.db)
        .await
        .unwrap()
}

/// A subscribed user's READY campaign of three recipients, with its
/// WhatsApp linked to a (test) sender whose inbox is `inbox`.
struct Linked {
    app: TestApp,
    user: User,
    inbox: String,
    id: i64,
}

async fn linked_campaign() -> Linked {
    let app = TestApp::spawn().await;
    let user = user(&app).await;
    subscribed(&app, &user).await;
    let inbox = inbox(&app).await;
    let id = ready_and_linked(&app, &user, &inbox).await;
    Linked { app, user, inbox, id }
}

async fn ready_and_linked(app: &TestApp, user: &User, inbox: &str) -> i64 {
    let id = create_campaign(app, user, "جلسه").await;
    expect_status(import(app, user, id, "list.csv", LIST.as_bytes().to_vec()).await, StatusCode::OK).await;
    linked(app, id, inbox).await;
    id
}

#[tokio::test]
async fn a_start_names_what_is_missing_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let user = user(&app).await;
    let id = create_campaign(&app, &user, "ناقص").await;

    expect_error(post(&app, &user, id, "start").await, StatusCode::CONFLICT, "INVALID_CAMPAIGN_STATE").await;
    expect_status(import(&app, &user, id, "list.csv", LIST.as_bytes().to_vec()).await, StatusCode::OK).await;
    expect_error(post(&app, &user, id, "start").await, StatusCode::UNPROCESSABLE_ENTITY, "SUBSCRIPTION_INACTIVE").await;
    subscribed(&app, &user).await;
    expect_error(post(&app, &user, id, "start").await, StatusCode::UNPROCESSABLE_ENTITY, "WHATSAPP_NOT_CONNECTED")
        .await;
    let connection =
        expect_status(app.get_auth(&format!("/api/campaigns/{id}/connection"), &user.token).await, StatusCode::OK)
            .await;
    assert_eq!(connection["isConnected"], false);

    let status: String =
        sqlx::query_scalar("SELECT status FROM campaigns WHERE id = ?").bind(id).fetch_one(&app.db).await.unwrap();
    assert_eq!(status, "READY");
    assert_eq!(reserved(&app, id).await, None, "no quota set aside");
    assert!(commands_in(&app, app.ctx.queues.sessions_url()).await.is_empty());
}

#[tokio::test]
async fn start_pause_resume_move_the_campaign_and_tell_its_sender() {
    let Linked { app, user, inbox, id } = linked_campaign().await;
    let connection =
        expect_status(app.get_auth(&format!("/api/campaigns/{id}/connection"), &user.token).await, StatusCode::OK)
            .await;
    assert_eq!(connection["isConnected"], true);

    // A READY campaign is started, not resumed.
    expect_error(post(&app, &user, id, "resume").await, StatusCode::CONFLICT, "INVALID_CAMPAIGN_STATE").await;
    expect_error(post(&app, &user, id, "pause").await, StatusCode::CONFLICT, "INVALID_CAMPAIGN_STATE").await;

    let started = expect_status(post(&app, &user, id, "start").await, StatusCode::OK).await;
    assert_eq!(
        (started["campaign"]["status"].as_str(), started["campaign"]["totalRecipients"].as_i64()),
        (Some("RUNNING"), Some(3))
    );
    assert!(started["campaign"]["startedAt"].is_string(), "{started}");
    assert_eq!(reserved(&app, id).await, Some(3));
    expect_error(post(&app, &user, id, "start").await, StatusCode::CONFLICT, "INVALID_CAMPAIGN_STATE").await;
    expect_error(post(&app, &user, id, "resume").await, StatusCode::CONFLICT, "INVALID_CAMPAIGN_STATE").await;

    let paused = expect_status(post(&app, &user, id, "pause").await, StatusCode::OK).await;
    assert_eq!(paused["campaign"]["status"], "PAUSED");
    assert_eq!(reserved(&app, id).await, Some(3), "the quota stays set aside while paused");
    expect_error(post(&app, &user, id, "pause").await, StatusCode::CONFLICT, "INVALID_CAMPAIGN_STATE").await;

    let resumed = expect_status(post(&app, &user, id, "resume").await, StatusCode::OK).await;
    assert_eq!(
        (resumed["campaign"]["status"].as_str(), resumed["message"].as_str()),
        (Some("RUNNING"), Some("Campaign resumed"))
    );
    // A new pause reaches the sender while it sends.
    let repaced = crate::campaign_helpers::put_auth(
        &app,
        &format!("/api/campaigns/{id}/interval"),
        &user.token,
        &json!({"interval": "FIVE_SECONDS"}),
    )
    .await;
    assert_eq!(expect_status(repaced, StatusCode::OK).await["campaign"]["interval"], "FIVE_SECONDS");

    assert_eq!(kinds(&app, &inbox).await, ["start", "pause", "start", "interval"]);
    assert!(
        commands_in(&app, app.ctx.queues.sessions_url()).await.is_empty(),
        "the owner's inbox, not the shared queue"
    );
}

#[tokio::test]
async fn cleanup_pauses_the_campaign_and_forgets_the_login() {
    let Linked { app, user, inbox, id } = linked_campaign().await;
    expect_status(post(&app, &user, id, "start").await, StatusCode::OK).await;

    let closed = expect_status(post(&app, &user, id, "cleanup-session").await, StatusCode::OK).await;
    assert_eq!(closed["campaign"]["status"], "PAUSED");
    let connection =
        expect_status(app.get_auth(&format!("/api/campaigns/{id}/connection"), &user.token).await, StatusCode::OK)
            .await;
    assert_eq!(connection["isConnected"], false);
    // Resuming needs a new scan now.
    expect_error(post(&app, &user, id, "resume").await, StatusCode::UNPROCESSABLE_ENTITY, "WHATSAPP_NOT_CONNECTED")
        .await;
    assert_eq!(kinds(&app, &inbox).await, ["start", "cleanup"]);
}

#[tokio::test]
async fn deleting_a_running_campaign_stops_its_sender_and_returns_the_quota() {
    let Linked { app, user, inbox, id } = linked_campaign().await;
    expect_status(post(&app, &user, id, "start").await, StatusCode::OK).await;
    let before = expect_status(app.get_auth("/api/campaigns/subscription", &user.token).await, StatusCode::OK).await;

    expect_status(delete_auth(&app, &format!("/api/campaigns/{id}"), &user.token).await, StatusCode::OK).await;
    assert_eq!(kinds(&app, &inbox).await, ["start", "cleanup"]);
    assert_eq!(reserved(&app, id).await, None);
    // The number outlives the campaign: its session stays for its other campaigns.
    let sessions: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM whatsapp_sessions").fetch_one(&app.db).await.unwrap();
    assert_eq!(sessions, 1);
    let after = expect_status(app.get_auth("/api/campaigns/subscription", &user.token).await, StatusCode::OK).await;
    let remaining = |answer: &Value| answer["subscription"]["remaining"].as_i64().unwrap();
    assert_eq!(remaining(&after), remaining(&before) + 3, "{before} → {after}");
}

#[tokio::test]
async fn a_qr_request_asks_the_fleet_and_answers_with_the_code_the_sender_shows() {
    let app = TestApp::spawn().await;
    let user = user(&app).await;
    let id = create_campaign(&app, &user, "QR").await;
    let sender = stand_in_sender(&app, move |db, command| async move {
        assert_eq!((command["kind"].as_str(), command["campaignId"].as_i64()), (Some("open"), Some(id)));
        // As the sender does: on the number being linked for the campaign.
        let account = shared::repo::whatsapp_accounts::of_campaign(&db, id).await.unwrap().unwrap();
        shared::repo::whatsapp_accounts::set_qr(&db, account, "2@qr-from-the-page,key,key,key").await.unwrap();
    });
    let answer = expect_status(post(&app, &user, id, "qr-code").await, StatusCode::OK).await;
    sender.await.unwrap();
    assert_eq!(answer["isConnected"], false);
    assert_eq!(answer["qrCode"]["raw"], "2@qr-from-the-page,key,key,key");
    assert!(answer["qrCode"]["image"].as_str().unwrap().starts_with("data:image/png;base64,"), "{answer}");
}

#[tokio::test]
async fn another_users_campaign_is_not_found_on_every_session_route() {
    let Linked { app, inbox, id, .. } = linked_campaign().await;
    let stranger = user(&app).await;
    subscribed(&app, &stranger).await;

    for action in ["qr-code", "start", "pause", "resume", "cleanup-session"] {
        expect_error(post(&app, &stranger, id, action).await, StatusCode::NOT_FOUND, "NOT_FOUND").await;
    }
    let connection = app.get_auth(&format!("/api/campaigns/{id}/connection"), &stranger.token).await;
    expect_error(connection, StatusCode::NOT_FOUND, "NOT_FOUND").await;
    let status: String =
        sqlx::query_scalar("SELECT status FROM campaigns WHERE id = ?").bind(id).fetch_one(&app.db).await.unwrap();
    assert_eq!(status, "READY");
    assert!(kinds(&app, &inbox).await.is_empty());
}

#[tokio::test]
async fn a_pairing_code_is_refused_for_a_bad_phone_a_linked_session_or_a_strangers_campaign() {
    let Linked { app, user: owner, inbox, id } = linked_campaign().await;
    let stranger = user(&app).await;
    let path = format!("/api/campaigns/{id}/pairing-code");

    let bad = app.post_auth(&path, &owner.token, &json!({"phone": "12"})).await;
    expect_error(bad, StatusCode::BAD_REQUEST, "VALIDATION_ERROR").await;
    let linked = app.post_auth(&path, &owner.token, &json!({"phone": "09121234567"})).await;
    expect_error(linked, StatusCode::CONFLICT, "WHATSAPP_ALREADY_CONNECTED").await;
    let foreign = app.post_auth(&path, &stranger.token, &json!({"phone": "09121234567"})).await;
    expect_error(foreign, StatusCode::NOT_FOUND, "NOT_FOUND").await;

    // Nothing was asked of the sender, nothing recorded.
    assert!(kinds(&app, &inbox).await.is_empty());
    let asked: Option<String> = sqlx::query_scalar("SELECT pairing_phone FROM campaigns WHERE id = ?")
        .bind(id)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(asked, None);
}
