//! `/api/whatsapp-accounts` as the API answers it: linking a new number
//! asks the fleet and answers with the QR the sender shows, a bad pairing
//! phone or body changes nothing, another user's number is not found,
//! removing a number stops its campaigns and asks its session to log the
//! device out, and a campaign names only a number of its owner's. A test
//! queue stands in for the sender; the sender itself is exercised end to end
//! in `sender/tests/fleet/link_once.rs`.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::{
    campaign_helpers::{commands_in, create_campaign, delete_auth, import, inbox, linked, subscribed, user},
    helpers::{expect_error, expect_status, stand_in_sender, TestApp},
};

async fn accounts_of(app: &TestApp, user_id: i64) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM whatsapp_accounts WHERE user_id = ?")
        .bind(user_id)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn linking_a_number_asks_the_fleet_and_answers_with_the_qr_the_sender_shows() {
    let app = TestApp::spawn().await;
    let owner = user(&app).await;
    let sender = stand_in_sender(&app, |db, command| async move {
        assert_eq!(command["kind"], "open");
        assert!(command.get("campaignId").is_none(), "{command}");
        let account = command["accountId"].as_i64().unwrap();
        shared::repo::whatsapp_accounts::set_qr(&db, account, "2@account-qr,key,key,key").await.unwrap();
        account
    });
    let answer =
        expect_status(app.post_auth("/api/whatsapp-accounts", &owner.token, &json!({})).await, StatusCode::CREATED)
            .await;
    let account_id = sender.await.unwrap();
    assert_eq!(answer["account"]["id"], account_id);
    assert_eq!(
        (answer["account"]["status"].as_str(), answer["account"]["isConnected"].as_bool()),
        (Some("LINKING"), Some(false))
    );
    assert_eq!(answer["account"]["phone"], Value::Null);
    assert_eq!(answer["qrCode"]["raw"], "2@account-qr,key,key,key");
    let one = expect_status(
        app.get_auth(&format!("/api/whatsapp-accounts/{account_id}"), &owner.token).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(one["qrCode"]["raw"], "2@account-qr,key,key,key");
    let list = expect_status(app.get_auth("/api/whatsapp-accounts", &owner.token).await, StatusCode::OK).await;
    assert_eq!(list["accounts"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_bad_pairing_phone_or_body_links_nothing() {
    let app = TestApp::spawn().await;
    let owner = user(&app).await;
    let bad = app.post_auth("/api/whatsapp-accounts", &owner.token, &json!({"phone": "12"})).await;
    expect_error(bad, StatusCode::BAD_REQUEST, "VALIDATION_ERROR").await;
    let wrong_type = app.post_auth("/api/whatsapp-accounts", &owner.token, &json!({"phone": 989121234567_i64})).await;
    expect_error(wrong_type, StatusCode::BAD_REQUEST, "VALIDATION_ERROR").await;
    let malformed = app
        .client
        .post(app.url("/api/whatsapp-accounts"))
        .bearer_auth(&owner.token)
        .header("content-type", "application/json")
        .body("{\"phone\":")
        .send()
        .await
        .unwrap();
    expect_error(malformed, StatusCode::BAD_REQUEST, "VALIDATION_ERROR").await;
    assert_eq!(accounts_of(&app, owner.id).await, 0);
    assert!(commands_in(&app, app.ctx.queues.sessions_url()).await.is_empty());
}

#[tokio::test]
async fn another_users_number_is_not_found_and_cannot_be_named_by_a_campaign() {
    let app = TestApp::spawn().await;
    let owner = user(&app).await;
    let stranger = user(&app).await;
    let campaign = create_campaign(&app, &owner, "مالک").await;
    let account_id = linked(&app, campaign, &inbox(&app).await).await;

    for path in [format!("/api/whatsapp-accounts/{account_id}"), "/api/whatsapp-accounts/999999".into()] {
        expect_error(app.get_auth(&path, &stranger.token).await, StatusCode::NOT_FOUND, "NOT_FOUND").await;
        expect_error(delete_auth(&app, &path, &stranger.token).await, StatusCode::NOT_FOUND, "NOT_FOUND").await;
    }
    expect_error(
        app.get_auth("/api/whatsapp-accounts/abc", &stranger.token).await,
        StatusCode::BAD_REQUEST,
        "VALIDATION_ERROR",
    )
    .await;
    let list = expect_status(app.get_auth("/api/whatsapp-accounts", &stranger.token).await, StatusCode::OK).await;
    assert_eq!(list["accounts"], json!([]));
    let foreign = app
        .post_auth("/api/campaigns", &stranger.token, &json!({"message": "سلام", "whatsappAccountId": account_id}))
        .await;
    expect_error(foreign, StatusCode::BAD_REQUEST, "VALIDATION_ERROR").await;
    let status: String = sqlx::query_scalar("SELECT status FROM whatsapp_accounts WHERE id = ?")
        .bind(account_id)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(status, "CONNECTED");
}

#[tokio::test]
async fn a_new_campaign_sends_from_the_only_linked_number_and_asks_for_no_scan() {
    let app = TestApp::spawn().await;
    let owner = user(&app).await;
    let first = create_campaign(&app, &owner, "اول").await;
    let account_id = linked(&app, first, &inbox(&app).await).await;

    let second = create_campaign(&app, &owner, "دوم").await;
    let details =
        expect_status(app.get_auth(&format!("/api/campaigns/{second}"), &owner.token).await, StatusCode::OK).await;
    assert_eq!(details["campaign"]["whatsappAccountId"], account_id, "{details}");
    let answer = expect_status(
        app.post_auth(&format!("/api/campaigns/{second}/qr-code"), &owner.token, &json!({})).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!((answer["isConnected"].as_bool(), &answer["qrCode"]), (Some(true), &Value::Null));
    assert_eq!(accounts_of(&app, owner.id).await, 1, "no second number was started");
}

#[tokio::test]
async fn removing_a_number_pauses_its_campaigns_asks_for_the_log_out_and_refuses_a_start() {
    let app = TestApp::spawn().await;
    let owner = user(&app).await;
    subscribed(&app, &owner).await;
    let sender = inbox(&app).await;
    let running = create_campaign(&app, &owner, "در حال ارسال").await;
    let list = "phone\n09120000001\n09120000002\n";
    expect_status(import(&app, &owner, running, "list.csv", list.as_bytes().to_vec()).await, StatusCode::OK).await;
    let account_id = linked(&app, running, &sender).await;
    expect_status(
        app.post_auth(&format!("/api/campaigns/{running}/start"), &owner.token, &json!({})).await,
        StatusCode::OK,
    )
    .await;
    commands_in(&app, &sender).await;

    let removed = expect_status(
        delete_auth(&app, &format!("/api/whatsapp-accounts/{account_id}"), &owner.token).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(removed["account"]["status"], "REMOVED");
    let commands: Vec<Value> =
        commands_in(&app, &sender).await.iter().map(|body| serde_json::from_str(body).unwrap()).collect();
    assert_eq!(commands.len(), 1, "{commands:?}");
    assert_eq!((commands[0]["kind"].as_str(), commands[0]["accountId"].as_i64()), (Some("log_out"), Some(account_id)));

    let (status, reason): (String, Option<String>) =
        sqlx::query_as("SELECT status, failure_reason FROM campaigns WHERE id = ?")
            .bind(running)
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(status, "PAUSED");
    assert!(reason.unwrap().contains("removed"));
    let resume = app.post_auth(&format!("/api/campaigns/{running}/resume"), &owner.token, &json!({})).await;
    expect_error(resume, StatusCode::UNPROCESSABLE_ENTITY, "WHATSAPP_ACCOUNT_REMOVED").await;
    let list = expect_status(app.get_auth("/api/whatsapp-accounts", &owner.token).await, StatusCode::OK).await;
    assert_eq!(list["accounts"], json!([]));
    // Gone for its owner too: a second delete is a 404.
    let again = delete_auth(&app, &format!("/api/whatsapp-accounts/{account_id}"), &owner.token).await;
    expect_error(again, StatusCode::NOT_FOUND, "NOT_FOUND").await;
}
