use std::time::Duration;

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{expect_error, expect_status, TestApp};

fn sms_otp(phone: &str) -> serde_json::Value {
    json!({"target": phone, "channel": "SMS", "purpose": "REGISTER"})
}

fn with_code(mut body: serde_json::Value, code: &str) -> serde_json::Value {
    body["code"] = json!(code);
    body
}

#[tokio::test]
async fn sms_code_verifies_and_registers() {
    let app = TestApp::spawn().await;
    let response = app.post("/api/auth/request-otp", &sms_otp("0912 345 6789")).await;
    let body = expect_status(response, StatusCode::OK).await;
    assert_eq!(body["expiresIn"], 300);
    assert!(!body.to_string().contains(&app.sms.last_code_for("989123456789").unwrap()), "code leaked in response");

    // Kavenegar got the canonical number and a message with the code.
    let code = app.sms.last_code_for("989123456789").expect("an SMS with a code");
    let verify = app.post("/api/auth/verify-otp", &with_code(sms_otp("+989123456789"), &code)).await;
    expect_status(verify, StatusCode::OK).await;

    let register = json!({"name": "Reza", "email": "reza@example.com", "phone": "09123456789",
                          "password": "abc12345", "otpCode": code});
    let body = expect_status(app.post("/api/user/register", &register).await, StatusCode::CREATED).await;
    assert_eq!(body["user"]["phone"], "989123456789");
    assert_eq!(app.count("otps").await, 0, "the code is consumed");
}

#[tokio::test]
async fn email_code_travels_by_smtp() {
    let app = TestApp::spawn().await;
    let request = json!({"target": "Sara@Example.com", "channel": "EMAIL", "purpose": "REGISTER"});
    expect_status(app.post("/api/auth/request-otp", &request).await, StatusCode::OK).await;
    let code = app.smtp.last_code_for("sara@example.com").expect("a mail with a code");
    expect_status(app.post("/api/auth/verify-otp", &with_code(request, &code)).await, StatusCode::OK).await;
    let register = json!({"name": "Sara", "email": "sara@example.com", "phone": "09351234567",
                          "password": "abc12345", "otpCode": code});
    expect_status(app.post("/api/user/register", &register).await, StatusCode::CREATED).await;
}

#[tokio::test]
async fn an_expired_code_fails() {
    let app = TestApp::spawn_with(&[("OTP_TTL_SECONDS", "1")]).await;
    expect_status(app.post("/api/auth/request-otp", &sms_otp("09123456789")).await, StatusCode::OK).await;
    let code = app.sms.last_code_for("989123456789").unwrap();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let verify = app.post("/api/auth/verify-otp", &with_code(sms_otp("09123456789"), &code)).await;
    expect_error(verify, StatusCode::BAD_REQUEST, "OTP_EXPIRED").await;
}

#[tokio::test]
async fn the_sixth_attempt_finds_the_code_dead() {
    let app = TestApp::spawn().await;
    expect_status(app.post("/api/auth/request-otp", &sms_otp("09123456789")).await, StatusCode::OK).await;
    let code = app.sms.last_code_for("989123456789").unwrap();
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for _ in 0..5 {
        let verify = app.post("/api/auth/verify-otp", &with_code(sms_otp("09123456789"), wrong)).await;
        expect_error(verify, StatusCode::BAD_REQUEST, "OTP_INVALID").await;
    }
    let verify = app.post("/api/auth/verify-otp", &with_code(sms_otp("09123456789"), &code)).await;
    expect_error(verify, StatusCode::BAD_REQUEST, "OTP_ATTEMPTS_EXCEEDED").await;
}

#[tokio::test]
async fn registering_with_an_unverified_code_fails_and_creates_nothing() {
    let app = TestApp::spawn().await;
    expect_status(app.post("/api/auth/request-otp", &sms_otp("09123456789")).await, StatusCode::OK).await;
    let code = app.sms.last_code_for("989123456789").unwrap();
    let register = json!({"name": "Reza", "email": "reza@example.com", "phone": "09123456789",
                          "password": "abc12345", "otpCode": code});
    expect_error(app.post("/api/user/register", &register).await, StatusCode::BAD_REQUEST, "OTP_NOT_VERIFIED").await;
    // A code verified for another phone does not help either.
    expect_status(app.post("/api/auth/request-otp", &sms_otp("09350000000")).await, StatusCode::OK).await;
    let other = app.sms.last_code_for("989350000000").unwrap();
    expect_status(app.post("/api/auth/verify-otp", &with_code(sms_otp("09350000000"), &other)).await, StatusCode::OK)
        .await;
    let mut register = register;
    register["otpCode"] = json!(other);
    expect_error(app.post("/api/user/register", &register).await, StatusCode::BAD_REQUEST, "OTP_NOT_VERIFIED").await;
    let mut no_code = register.clone();
    no_code.as_object_mut().unwrap().remove("otpCode");
    expect_error(app.post("/api/user/register", &no_code).await, StatusCode::BAD_REQUEST, "VALIDATION_ERROR").await;
    assert_eq!(app.count("users").await, 0);
}

#[tokio::test]
async fn resending_is_throttled() {
    let app = TestApp::spawn().await;
    expect_status(app.post("/api/auth/request-otp", &sms_otp("09123456789")).await, StatusCode::OK).await;
    let again = app.post("/api/auth/request-otp", &sms_otp("+98 912 345 6789")).await;
    let retry_after: u64 = again.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry_after));
    expect_error(again, StatusCode::TOO_MANY_REQUESTS, "RATE_LIMITED").await;
    assert_eq!(app.sms.sent().len(), 1);
}

#[tokio::test]
async fn a_failed_delivery_stores_nothing() {
    let app = TestApp::spawn().await;
    app.sms.set_out_of_credit(true);
    let response = app.post("/api/auth/request-otp", &sms_otp("09123456789")).await;
    let error = expect_error(response, StatusCode::SERVICE_UNAVAILABLE, "SERVICE_UNAVAILABLE").await;
    assert!(!error.to_string().contains(&app.sms.api_key));
    assert_eq!(app.count("otps").await, 0);
    // Once the provider recovers, no cooldown blocks the retry.
    app.sms.set_out_of_credit(false);
    expect_status(app.post("/api/auth/request-otp", &sms_otp("09123456789")).await, StatusCode::OK).await;
}

#[tokio::test]
async fn bad_otp_requests_are_400s() {
    let app = TestApp::spawn().await;
    for (body, field) in [
        (json!({"target": "09123456789", "channel": "FAX", "purpose": "REGISTER"}), "channel"),
        (json!({"target": "09123456789", "channel": "SMS", "purpose": "LOGIN"}), "purpose"),
        (json!({"target": "not a phone", "channel": "SMS", "purpose": "REGISTER"}), "target"),
        (json!({"target": "not-an-email", "channel": "EMAIL", "purpose": "REGISTER"}), "target"),
        (json!({"channel": "SMS", "purpose": "REGISTER"}), "target"),
    ] {
        let response = app.post("/api/auth/request-otp", &body).await;
        let error = expect_error(response, StatusCode::BAD_REQUEST, "VALIDATION_ERROR").await;
        assert_eq!(error["errors"][0]["field"], field, "{body}");
    }
    let verify = app.post("/api/auth/verify-otp", &with_code(sms_otp("09123456789"), "12ab56")).await;
    expect_error(verify, StatusCode::BAD_REQUEST, "VALIDATION_ERROR").await;
    assert_eq!(app.count("otps").await, 0);
    assert!(app.sms.sent().is_empty());
}

#[tokio::test]
async fn no_secret_reaches_the_logs() {
    let app = TestApp::spawn().await;
    expect_status(app.post("/api/auth/request-otp", &sms_otp("09123456789")).await, StatusCode::OK).await;
    let code = app.sms.last_code_for("989123456789").unwrap();
    let wrong = if code == "999999" { "888888" } else { "999999" };
    let _ = app.post("/api/auth/verify-otp", &with_code(sms_otp("09123456789"), wrong)).await;
    expect_status(app.post("/api/auth/verify-otp", &with_code(sms_otp("09123456789"), &code)).await, StatusCode::OK)
        .await;
    let password = "Very-Secret-Pass-42";
    let register = json!({"name": "Reza", "email": "reza@example.com", "phone": "09123456789",
                          "password": password, "otpCode": code});
    expect_status(app.post("/api/user/register", &register).await, StatusCode::CREATED).await;
    let login = app.post("/api/user/login", &json!({"email": "reza@example.com", "password": password})).await;
    let tokens = expect_status(login, StatusCode::OK).await;
    let refresh = tokens["refreshToken"].as_str().unwrap();
    let refreshed =
        expect_status(app.post("/api/refresh/token", &json!({"refreshToken": refresh})).await, StatusCode::OK).await;
    let _ = app.post("/api/user/login", &json!({"email": "reza@example.com", "password": "wrong-Pass-43"})).await;
    let hash: String = sqlx::query_scalar("SELECT password_hash FROM users").fetch_one(&app.db).await.unwrap();

    let logs = crate::log_capture::all();
    assert!(logs.contains("user logged in"), "logs are being captured");
    // The code is six digits: it leaks only as a number of its own, not as
    // part of a longer one (an id, a duration).
    let standalone = |at: usize| {
        let digit = |i: Option<&u8>| i.is_some_and(u8::is_ascii_digit);
        !digit(at.checked_sub(1).and_then(|i| logs.as_bytes().get(i))) && !digit(logs.as_bytes().get(at + code.len()))
    };
    assert!(!logs.match_indices(code.as_str()).any(|(at, _)| standalone(at)), "the one-time code reached the logs");
    for secret in [
        password,
        "wrong-Pass-43",
        hash.as_str(),
        refresh,
        tokens["accessToken"].as_str().unwrap(),
        refreshed["refreshToken"].as_str().unwrap(),
        app.sms.api_key.as_str(),
    ] {
        assert!(!logs.contains(secret), "a secret reached the logs");
    }
}
