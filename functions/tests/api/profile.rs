use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{expect_error, expect_status, TestApp};

#[tokio::test]
async fn profile_shows_the_user_without_secrets() {
    let app = TestApp::spawn().await;
    let account = app.register().await;
    let session = app.login(&account).await;
    let body = expect_status(app.get_auth("/api/user/profile", &session.access_token).await, StatusCode::OK).await;
    let user = &body["user"];
    assert_eq!(user["id"], account.id);
    assert_eq!(user["email"], account.email);
    assert_eq!(user["subscriptionActive"], false);
    assert!(user.get("subscriptionExpiresAt").is_some());
    assert!(user["createdAt"].as_str().unwrap().ends_with('Z'));
    let text = body.to_string();
    assert!(!text.contains(&account.password) && !text.contains("argon2") && !text.contains("passwordHash"));
}

#[tokio::test]
async fn profile_needs_a_valid_token() {
    let app = TestApp::spawn().await;
    let response = app.client.get(app.url("/api/user/profile")).send().await.unwrap();
    expect_error(response, StatusCode::UNAUTHORIZED, "UNAUTHORIZED").await;
    expect_error(app.get_auth("/api/user/profile", "abc.def.ghi").await, StatusCode::UNAUTHORIZED, "INVALID_TOKEN")
        .await;
    // A token signed with another key.
    let forged = shared::auth::JwtKeys::new(&"f".repeat(40), std::time::Duration::from_secs(60))
        .issue(1, shared::domain::Role::SuperAdmin)
        .unwrap();
    expect_error(app.get_auth("/api/user/profile", &forged).await, StatusCode::UNAUTHORIZED, "INVALID_TOKEN").await;
}

#[tokio::test]
async fn expired_access_tokens_are_refused() {
    let app = TestApp::spawn_with(&[("ACCESS_TOKEN_TTL_SECONDS", "1")]).await;
    let account = app.register().await;
    let session = app.login(&account).await;
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    expect_error(
        app.get_auth("/api/user/profile", &session.access_token).await,
        StatusCode::UNAUTHORIZED,
        "INVALID_TOKEN",
    )
    .await;
}

#[tokio::test]
async fn profile_update_changes_only_what_is_given() {
    let app = TestApp::spawn().await;
    let account = app.register().await;
    let session = app.login(&account).await;
    let response = app
        .post_auth("/api/user/profile", &session.access_token, &json!({"age": 31, "address": "تهران، خیابان آزادی"}))
        .await;
    let body = expect_status(response, StatusCode::OK).await;
    assert_eq!(body["user"]["age"], 31);
    assert_eq!(body["user"]["address"], "تهران، خیابان آزادی");
    assert_eq!(body["user"]["name"], "کاربر آزمایشی");

    let response = app.post_auth("/api/user/profile", &session.access_token, &json!({"name": "نام تازه"})).await;
    let body = expect_status(response, StatusCode::OK).await;
    assert_eq!(body["user"]["name"], "نام تازه");
    assert_eq!(body["user"]["age"], 31);
}

#[tokio::test]
async fn profile_update_rejects_bad_fields_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let account = app.register().await;
    let session = app.login(&account).await;
    for (body, field) in [
        (json!({"age": "old"}), "age"),
        (json!({"age": 0}), "age"),
        (json!({"name": ""}), "name"),
        (json!({"address": "x".repeat(501)}), "address"),
        (json!({"role": "SUPER_ADMIN"}), "role"),
    ] {
        let response = app.post_auth("/api/user/profile", &session.access_token, &body).await;
        let error = expect_error(response, StatusCode::BAD_REQUEST, "VALIDATION_ERROR").await;
        assert_eq!(error["errors"][0]["field"], field, "{body} → {error}");
    }
    let body = expect_status(app.get_auth("/api/user/profile", &session.access_token).await, StatusCode::OK).await;
    assert_eq!(body["user"]["role"], "USER");
    assert_eq!(body["user"]["age"], serde_json::Value::Null);
}
