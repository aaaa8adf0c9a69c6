//! The attempt counters of logins and one-time codes (issue 27): per
//! account and per client address, `429 RATE_LIMITED` with `Retry-After`
//! past the limit, and free again once the window has passed — moved by
//! back-dating the counters' rows in the database, not by sleeping.

use std::net::IpAddr;

use reqwest::{Response, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{expect_error, expect_status, TestApp};

/// A client whose requests come from `ip` (any 127.0.0.0/8 address reaches
/// the app on 127.0.0.1): another client address for the counters.
fn client_from(ip: &str) -> reqwest::Client {
    reqwest::Client::builder().local_address(ip.parse::<IpAddr>().unwrap()).build().unwrap()
}

async fn post_from(app: &TestApp, client: &reqwest::Client, path: &str, body: &Value) -> Response {
    client.post(app.url(path)).json(body).send().await.unwrap()
}

/// A 429 `RATE_LIMITED` whose `Retry-After` is within the window.
async fn expect_limited(response: Response, window_secs: u64) -> u64 {
    let retry_after: u64 = response
        .headers()
        .get("retry-after")
        .expect("a Retry-After header")
        .to_str()
        .unwrap()
        .parse()
        .expect("Retry-After in seconds");
    assert!((1..=window_secs).contains(&retry_after), "Retry-After {retry_after} within the window {window_secs}");
    let body = expect_error(response, StatusCode::TOO_MANY_REQUESTS, "RATE_LIMITED").await;
    assert_eq!(body["success"], false);
    retry_after
}

/// Every counter's window began `seconds` earlier: as if that time passed.
async fn age_counters(app: &TestApp, seconds: u64) {
    sqlx::query("UPDATE auth_attempts SET window_start = window_start - INTERVAL ? SECOND")
        .bind(seconds)
        .execute(&app.db)
        .await
        .unwrap();
}

fn login_body(email: &str, password: &str) -> Value {
    json!({"email": email, "password": password})
}

#[tokio::test]
async fn wrong_passwords_are_limited_per_account_and_recover_after_the_window() {
    let app =
        TestApp::spawn_with(&[("LOGIN_ATTEMPTS_PER_ACCOUNT", "3"), ("LOGIN_ATTEMPTS_WINDOW_SECONDS", "900")]).await;
    let victim = app.register().await;
    let attacker = client_from("127.0.0.11");
    for _ in 0..3 {
        let wrong = post_from(&app, &attacker, "/api/user/login", &login_body(&victim.email, "not-the-password")).await;
        expect_error(wrong, StatusCode::UNAUTHORIZED, "INVALID_CREDENTIALS").await;
    }
    let fourth = post_from(&app, &attacker, "/api/user/login", &login_body(&victim.email, "not-the-password")).await;
    expect_limited(fourth, 900).await;
    // Past the limit even the right password is refused, from anywhere
    // (the e-mail is what is being guessed), in any spelling of it.
    let right = app.post("/api/user/login", &login_body(&victim.email.to_uppercase(), &victim.password)).await;
    expect_limited(right, 900).await;

    // Another account from another address is not affected.
    let other = app.register().await;
    let elsewhere = client_from("127.0.0.12");
    let ok = post_from(&app, &elsewhere, "/api/user/login", &login_body(&other.email, &other.password)).await;
    expect_status(ok, StatusCode::OK).await;

    // Nothing in the table names the e-mail.
    let stored: Vec<String> = sqlx::query_scalar("SELECT subject FROM auth_attempts").fetch_all(&app.db).await.unwrap();
    assert!(stored.iter().all(|s| s.len() == 64 && !s.contains('@')), "{stored:?}");

    // Once the window has passed, the right password works again...
    age_counters(&app, 901).await;
    app.login(&victim).await;
    // ...and a success started the account's count over.
    for _ in 0..3 {
        let wrong = app.post("/api/user/login", &login_body(&victim.email, "still-wrong")).await;
        expect_error(wrong, StatusCode::UNAUTHORIZED, "INVALID_CREDENTIALS").await;
    }
    expect_limited(app.post("/api/user/login", &login_body(&victim.email, "still-wrong")).await, 900).await;
}

#[tokio::test]
async fn failed_logins_are_limited_per_client_address() {
    let app = TestApp::spawn_with(&[("LOGIN_ATTEMPTS_PER_IP", "4"), ("LOGIN_ATTEMPTS_WINDOW_SECONDS", "600")]).await;
    let sprayer = client_from("127.0.0.21");
    let user = app.register().await;
    // A success does not count against the address.
    expect_status(
        post_from(&app, &sprayer, "/api/user/login", &login_body(&user.email, &user.password)).await,
        StatusCode::OK,
    )
    .await;
    // Four failures on four accounts (known or not)...
    for n in 0..4 {
        let guess =
            post_from(&app, &sprayer, "/api/user/login", &login_body(&format!("guess{n}@example.com"), "x")).await;
        expect_error(guess, StatusCode::UNAUTHORIZED, "INVALID_CREDENTIALS").await;
    }
    // ...and the address is refused, whatever the account.
    let next = post_from(&app, &sprayer, "/api/user/login", &login_body(&user.email, &user.password)).await;
    let retry_after = expect_limited(next, 600).await;
    assert!(retry_after > 500, "the window began moments ago: {retry_after}");

    // The same account from another address logs in.
    let elsewhere = client_from("127.0.0.22");
    expect_status(
        post_from(&app, &elsewhere, "/api/user/login", &login_body(&user.email, &user.password)).await,
        StatusCode::OK,
    )
    .await;

    age_counters(&app, 601).await;
    expect_status(
        post_from(&app, &sprayer, "/api/user/login", &login_body(&user.email, &user.password)).await,
        StatusCode::OK,
    )
    .await;
}

fn sms_otp(phone: &str) -> Value {
    json!({"target": phone, "channel": "SMS", "purpose": "REGISTER"})
}

#[tokio::test]
async fn code_requests_are_limited_per_phone_and_per_address_and_recover() {
    let app = TestApp::spawn_with(&[
        ("OTP_REQUESTS_PER_TARGET", "2"),
        ("OTP_REQUESTS_PER_IP", "4"),
        ("OTP_REQUESTS_WINDOW_SECONDS", "3600"),
        ("OTP_RESEND_COOLDOWN_SECONDS", "0"),
    ])
    .await;
    let pumper = client_from("127.0.0.31");
    for _ in 0..2 {
        expect_status(post_from(&app, &pumper, "/api/auth/request-otp", &sms_otp("09121111111")).await, StatusCode::OK)
            .await;
    }
    // The third code to that phone, from any address, in any spelling.
    let elsewhere = client_from("127.0.0.32");
    let third = post_from(&app, &elsewhere, "/api/auth/request-otp", &sms_otp("+98 912 111 1111")).await;
    expect_limited(third, 3600).await;
    assert_eq!(app.sms.sent().len(), 2, "no SMS past the limit");

    // Another phone from another address gets its code.
    expect_status(post_from(&app, &elsewhere, "/api/auth/request-otp", &sms_otp("09122222222")).await, StatusCode::OK)
        .await;

    // Per address: two more phones make four requests from the pumper;
    // a fifth phone is refused.
    for phone in ["09123333333", "09124444444"] {
        expect_status(post_from(&app, &pumper, "/api/auth/request-otp", &sms_otp(phone)).await, StatusCode::OK).await;
    }
    let fifth = post_from(&app, &pumper, "/api/auth/request-otp", &sms_otp("09125555555")).await;
    expect_limited(fifth, 3600).await;

    // An hour later both limits have let go.
    age_counters(&app, 3601).await;
    expect_status(post_from(&app, &pumper, "/api/auth/request-otp", &sms_otp("09121111111")).await, StatusCode::OK)
        .await;
    expect_status(post_from(&app, &pumper, "/api/auth/request-otp", &sms_otp("09125555555")).await, StatusCode::OK)
        .await;
}

#[tokio::test]
async fn wrong_codes_are_limited_per_phone_across_codes() {
    let app = TestApp::spawn_with(&[("OTP_VERIFY_FAILURES_PER_TARGET", "2")]).await;
    expect_status(app.post("/api/auth/request-otp", &sms_otp("09126666666")).await, StatusCode::OK).await;
    let code = app.sms.last_code_for("989126666666").unwrap();
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let mut body = sms_otp("09126666666");
    for _ in 0..2 {
        body["code"] = json!(wrong);
        expect_error(app.post("/api/auth/verify-otp", &body).await, StatusCode::BAD_REQUEST, "OTP_INVALID").await;
    }
    body["code"] = json!(code);
    expect_limited(app.post("/api/auth/verify-otp", &body).await, 3600).await;
    age_counters(&app, 3601).await;
    expect_status(app.post("/api/auth/verify-otp", &body).await, StatusCode::OK).await;
}
