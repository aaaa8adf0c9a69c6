use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{expect_error, expect_status, TestApp};

#[tokio::test]
async fn refresh_rotates_the_token() {
    let app = TestApp::spawn().await;
    let account = app.register().await;
    let session = app.login(&account).await;
    let response = app.post("/api/refresh/token", &json!({"refreshToken": session.refresh_token})).await;
    let body = expect_status(response, StatusCode::OK).await;
    let access = body["accessToken"].as_str().unwrap();
    let rotated = body["refreshToken"].as_str().unwrap();
    assert_ne!(rotated, session.refresh_token);
    expect_status(app.get_auth("/api/user/profile", access).await, StatusCode::OK).await;
    // The rotated token works once more.
    let response = app.post("/api/refresh/token", &json!({"refreshToken": rotated})).await;
    expect_status(response, StatusCode::OK).await;
}

#[tokio::test]
async fn reusing_a_rotated_token_kills_the_whole_family() {
    let app = TestApp::spawn().await;
    let account = app.register().await;
    let session = app.login(&account).await;
    let other_login = app.login(&account).await;
    let body = expect_status(
        app.post("/api/refresh/token", &json!({"refreshToken": session.refresh_token})).await,
        StatusCode::OK,
    )
    .await;
    let newer = body["refreshToken"].as_str().unwrap().to_owned();

    // The old token comes back: someone copied it.
    let replay = app.post("/api/refresh/token", &json!({"refreshToken": session.refresh_token})).await;
    expect_error(replay, StatusCode::UNAUTHORIZED, "INVALID_REFRESH_TOKEN").await;
    let newer_attempt = app.post("/api/refresh/token", &json!({"refreshToken": newer})).await;
    expect_error(newer_attempt, StatusCode::UNAUTHORIZED, "INVALID_REFRESH_TOKEN").await;

    // Another login's family is untouched.
    let unrelated = app.post("/api/refresh/token", &json!({"refreshToken": other_login.refresh_token})).await;
    expect_status(unrelated, StatusCode::OK).await;
}

#[tokio::test]
async fn refresh_after_logout_is_refused() {
    let app = TestApp::spawn().await;
    let account = app.register().await;
    let session = app.login(&account).await;
    let body = json!({"refreshToken": session.refresh_token});
    expect_status(app.post_auth("/api/auth/logout", &session.access_token, &body).await, StatusCode::OK).await;
    expect_error(app.post("/api/refresh/token", &body).await, StatusCode::UNAUTHORIZED, "INVALID_REFRESH_TOKEN").await;
}

#[tokio::test]
async fn logout_needs_the_callers_own_token() {
    let app = TestApp::spawn().await;
    let alice = app.register().await;
    let bob = app.register().await;
    let alice_session = app.login(&alice).await;
    let bob_session = app.login(&bob).await;
    let bobs_token = json!({"refreshToken": bob_session.refresh_token});
    expect_error(app.post("/api/auth/logout", &bobs_token).await, StatusCode::UNAUTHORIZED, "UNAUTHORIZED").await;
    let response = app.post_auth("/api/auth/logout", &alice_session.access_token, &bobs_token).await;
    expect_error(response, StatusCode::UNAUTHORIZED, "INVALID_REFRESH_TOKEN").await;
    expect_status(app.post("/api/refresh/token", &bobs_token).await, StatusCode::OK).await;
}

#[tokio::test]
async fn banned_user_cannot_refresh() {
    let app = TestApp::spawn().await;
    let account = app.register().await;
    let session = app.login(&account).await;
    app.set_status(account.id, "BANNED").await;
    let response = app.post("/api/refresh/token", &json!({"refreshToken": session.refresh_token})).await;
    expect_error(response, StatusCode::FORBIDDEN, "USER_BANNED").await;
    expect_error(app.get_auth("/api/user/profile", &session.access_token).await, StatusCode::FORBIDDEN, "USER_BANNED")
        .await;
}

#[tokio::test]
async fn garbage_refresh_tokens_are_refused() {
    let app = TestApp::spawn().await;
    let response = app.post("/api/refresh/token", &json!({"refreshToken": "not-a-token"})).await;
    expect_error(response, StatusCode::UNAUTHORIZED, "INVALID_REFRESH_TOKEN").await;
    let response = app.post("/api/refresh/token", &json!({"refreshToken": 12})).await;
    expect_error(response, StatusCode::BAD_REQUEST, "VALIDATION_ERROR").await;
}
