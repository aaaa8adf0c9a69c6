use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{expect_error, expect_status, TestApp};

#[tokio::test]
async fn login_returns_tokens_and_the_user() {
    let app = TestApp::spawn().await;
    let account = app.register().await;
    let response = app
        .post("/api/user/login", &json!({"email": account.email.to_uppercase(), "password": account.password}))
        .await;
    assert_eq!(response.headers()["cache-control"], "no-store");
    let body = expect_status(response, StatusCode::OK).await;
    assert_eq!(body["success"], true);
    assert!(body["accessToken"].as_str().unwrap().split('.').count() == 3, "a JWT");
    assert!(body["refreshToken"].as_str().unwrap().len() >= 43);
    assert_eq!(
        body["user"],
        json!({"id": account.id, "name": "کاربر آزمایشی", "email": account.email, "role": "USER"})
    );
}

#[tokio::test]
async fn wrong_password_and_unknown_email_look_the_same() {
    let app = TestApp::spawn().await;
    let account = app.register().await;
    let wrong_password =
        app.post("/api/user/login", &json!({"email": account.email, "password": "not-the-password-1"})).await;
    let wrong = expect_error(wrong_password, StatusCode::UNAUTHORIZED, "INVALID_CREDENTIALS").await;
    let unknown_email =
        app.post("/api/user/login", &json!({"email": "nobody@example.com", "password": account.password})).await;
    let unknown = expect_error(unknown_email, StatusCode::UNAUTHORIZED, "INVALID_CREDENTIALS").await;
    assert_eq!(wrong, unknown);
}

#[tokio::test]
async fn banned_and_inactive_users_cannot_log_in() {
    let app = TestApp::spawn().await;
    let account = app.register().await;
    let login = json!({"email": account.email, "password": account.password});
    app.set_status(account.id, "BANNED").await;
    expect_error(app.post("/api/user/login", &login).await, StatusCode::FORBIDDEN, "USER_BANNED").await;
    app.set_status(account.id, "INACTIVE").await;
    expect_error(app.post("/api/user/login", &login).await, StatusCode::FORBIDDEN, "USER_INACTIVE").await;
    assert_eq!(app.count("refresh_tokens").await, 0, "no session was started");
}

#[tokio::test]
async fn login_input_is_validated() {
    let app = TestApp::spawn().await;
    let response = app.post("/api/user/login", &json!({"email": "a@example.com"})).await;
    let error = expect_error(response, StatusCode::BAD_REQUEST, "VALIDATION_ERROR").await;
    assert_eq!(error["errors"][0]["field"], "password");
    let response = app.post("/api/user/login", &json!({"email": ["a"], "password": "x"})).await;
    let error = expect_error(response, StatusCode::BAD_REQUEST, "VALIDATION_ERROR").await;
    assert_eq!(error["errors"][0]["field"], "email");
}
