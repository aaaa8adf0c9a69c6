//! A fair share of the fleet, as the API enforces it (issue 25): at most
//! two numbers LINKING per user (racing requests included), rate limits on
//! link attempts, pairing codes only for the user's own number (proven at
//! sign-up or by a code sent to it), an immediate place in line when no
//! browser is free, and queued attempts that expire. The sender side —
//! eviction of idle sessions, expiry of unscanned QRs, the QR by event — is
//! in `sender/tests/fleet/fair_share.rs`.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::{
    campaign_helpers::{create_campaign, user, User},
    helpers::{expect_error, expect_status, TestApp},
};

/// The fleet's one sender has no browser free: every slot linking or sending.
async fn fleet_full(app: &TestApp) {
    sqlx::query("UPDATE senders SET busy = capacity").execute(&app.db).await.unwrap();
}

async fn linking_of(app: &TestApp, user_id: i64) -> Vec<(i64, String, Option<String>)> {
    sqlx::query_as("SELECT id, status, pairing_phone FROM whatsapp_accounts WHERE user_id = ? ORDER BY id")
        .bind(user_id)
        .fetch_all(&app.db)
        .await
        .unwrap()
}

async fn link(app: &TestApp, owner: &User, body: Value) -> reqwest::Response {
    app.post_auth("/api/whatsapp-accounts", &owner.token, &body).await
}

#[tokio::test]
async fn a_full_fleet_answers_at_once_with_the_place_in_line() {
    let app = TestApp::spawn().await;
    fleet_full(&app).await;
    let (first, second) = (user(&app).await, user(&app).await);
    let started = Instant::now();
    let queued = expect_status(link(&app, &first, json!({})).await, StatusCode::ACCEPTED).await;
    assert_eq!((queued["queued"].as_bool(), queued["position"].as_i64()), (Some(true), Some(1)), "{queued}");
    assert!(queued["retryAfterSeconds"].as_u64().is_some_and(|s| (5..=180).contains(&s)), "{queued}");
    assert_eq!(queued["account"]["status"], "LINKING");
    assert_eq!(queued["qrCode"], Value::Null);
    let behind = expect_status(link(&app, &second, json!({})).await, StatusCode::ACCEPTED).await;
    assert_eq!(behind["position"], 2, "{behind}");
    // The campaign route answers the same way, in line behind both.
    let campaign = create_campaign(&app, &second, "Queued").await;
    let answer = app.post_auth(&format!("/api/campaigns/{campaign}/qr-code"), &second.token, &json!({})).await;
    let by_campaign = expect_status(answer, StatusCode::ACCEPTED).await;
    assert_eq!((by_campaign["position"].as_i64(), by_campaign["isConnected"].as_bool()), (Some(3), Some(false)));
    assert!(started.elapsed() < Duration::from_secs(5), "no wait without a promise: {:?}", started.elapsed());
}

#[tokio::test]
async fn a_third_number_being_linked_is_refused_even_when_the_requests_race() {
    let app = TestApp::spawn().await;
    fleet_full(&app).await;
    let owner = user(&app).await;
    let answers = futures_util::future::join_all((0..4).map(|_| link(&app, &owner, json!({})))).await;
    let mut statuses: Vec<u16> = answers.iter().map(|a| a.status().as_u16()).collect();
    statuses.sort();
    assert_eq!(statuses, [202, 202, 429, 429]);
    for answer in answers.into_iter().filter(|a| a.status() == StatusCode::TOO_MANY_REQUESTS) {
        assert!(answer.headers().contains_key("retry-after"));
        expect_error(answer, StatusCode::TOO_MANY_REQUESTS, "LINKING_LIMIT").await;
    }
    assert_eq!(linking_of(&app, owner.id).await.len(), 2);
    // A campaign cannot open a third one either.
    let campaign = create_campaign(&app, &owner, "Third").await;
    let third = app.post_auth(&format!("/api/campaigns/{campaign}/qr-code"), &owner.token, &json!({})).await;
    expect_error(third, StatusCode::TOO_MANY_REQUESTS, "LINKING_LIMIT").await;
    assert_eq!(linking_of(&app, owner.id).await.len(), 2);
}

#[tokio::test]
async fn a_queued_attempt_that_never_got_a_browser_expires_and_frees_the_limit() {
    let app = TestApp::spawn_with(&[("LINKING_TIMEOUT_SECONDS", "60")]).await;
    fleet_full(&app).await;
    let owner = user(&app).await;
    for _ in 0..2 {
        expect_status(link(&app, &owner, json!({})).await, StatusCode::ACCEPTED).await;
    }
    // The clock the sweep reads is the database's: the attempts were asked
    // for ten minutes ago, more than three link timeouts.
    sqlx::query("UPDATE whatsapp_accounts SET linking_requested_at = CURRENT_TIMESTAMP(3) - INTERVAL 10 MINUTE")
        .execute(&app.db)
        .await
        .unwrap();
    let report = shared::campaigns::schedule::run_scheduler(&app.ctx).await.unwrap();
    assert_eq!(report.links_expired, 2);
    let accounts = expect_status(app.get_auth("/api/whatsapp-accounts", &owner.token).await, StatusCode::OK).await;
    for account in accounts["accounts"].as_array().unwrap() {
        assert_eq!(account["status"], "DISCONNECTED");
        assert!(account["statusReason"].as_str().unwrap().contains("expired"), "{account}");
    }
    expect_status(link(&app, &owner, json!({})).await, StatusCode::ACCEPTED).await;
}

#[tokio::test]
async fn link_attempts_are_rate_limited_per_user() {
    let app = TestApp::spawn_with(&[("LINKING_MAX_PER_USER", "10"), ("LINKING_RATE_PER_HOUR", "2")]).await;
    fleet_full(&app).await;
    let (owner, other) = (user(&app).await, user(&app).await);
    for _ in 0..2 {
        expect_status(link(&app, &owner, json!({})).await, StatusCode::ACCEPTED).await;
    }
    let refused = link(&app, &owner, json!({})).await;
    let wait: u64 = refused.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=3600).contains(&wait), "{wait}");
    expect_error(refused, StatusCode::TOO_MANY_REQUESTS, "RATE_LIMITED").await;
    assert_eq!(linking_of(&app, owner.id).await.len(), 2);
    // Another user is not held back by it.
    expect_status(link(&app, &other, json!({})).await, StatusCode::ACCEPTED).await;
}

#[tokio::test]
async fn a_pairing_code_only_for_the_users_own_number_or_one_confirmed_by_a_code() {
    let app = TestApp::spawn().await;
    fleet_full(&app).await;
    let owner = user(&app).await;
    let strangers_phone = "09351112233";

    // Not the user's, and nothing proves otherwise: refused, nothing made.
    let refused = link(&app, &owner, json!({"phone": strangers_phone})).await;
    expect_error(refused, StatusCode::FORBIDDEN, "PAIRING_PHONE_NOT_CONFIRMED").await;
    let guessed = link(&app, &owner, json!({"phone": strangers_phone, "otp": "123456"})).await;
    expect_error(guessed, StatusCode::FORBIDDEN, "PAIRING_PHONE_NOT_CONFIRMED").await;
    let campaign = create_campaign(&app, &owner, "Pairing").await;
    let by_campaign = app
        .post_auth(&format!("/api/campaigns/{campaign}/pairing-code"), &owner.token, &json!({"phone": strangers_phone}))
        .await;
    expect_error(by_campaign, StatusCode::FORBIDDEN, "PAIRING_PHONE_NOT_CONFIRMED").await;
    assert!(linking_of(&app, owner.id).await.is_empty());
    let campaign_account: Option<i64> = sqlx::query_scalar("SELECT whatsapp_account_id FROM campaigns WHERE id = ?")
        .bind(campaign)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(campaign_account, None);

    // A code sent to the number confirms it, once.
    let sent =
        app.post_auth("/api/whatsapp-accounts/pairing-otp", &owner.token, &json!({"phone": strangers_phone})).await;
    expect_status(sent, StatusCode::OK).await;
    let code = app.sms.last_code_for("989351112233").expect("a code by SMS to the number");
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let wrong = link(&app, &owner, json!({"phone": strangers_phone, "otp": wrong})).await;
    expect_error(wrong, StatusCode::BAD_REQUEST, "OTP_INVALID").await;
    let linked =
        expect_status(link(&app, &owner, json!({"phone": strangers_phone, "otp": code})).await, StatusCode::ACCEPTED)
            .await;
    let account_id = linked["account"]["id"].as_i64().unwrap();
    assert_eq!(linking_of(&app, owner.id).await, [(account_id, "LINKING".to_owned(), Some("989351112233".to_owned()))]);
    let again = link(&app, &owner, json!({"phone": strangers_phone, "otp": code})).await;
    expect_error(again, StatusCode::FORBIDDEN, "PAIRING_PHONE_NOT_CONFIRMED").await;

    // The request is on record: who, which number, when.
    let logged: Vec<(i64, String)> =
        sqlx::query_as("SELECT user_id, phone FROM linking_requests WHERE kind = 'PAIRING'")
            .fetch_all(&app.db)
            .await
            .unwrap();
    assert_eq!(logged, [(owner.id, "989351112233".to_owned())]);
}

#[tokio::test]
async fn a_pairing_code_for_the_phone_proven_at_sign_up_needs_no_other_code() {
    let app = TestApp::spawn().await;
    fleet_full(&app).await;
    let otp = json!({"target": "09127654321", "channel": "SMS", "purpose": "REGISTER"});
    expect_status(app.post("/api/auth/request-otp", &otp).await, StatusCode::OK).await;
    let code = app.sms.last_code_for("989127654321").unwrap();
    let mut verify = otp.clone();
    verify["code"] = json!(code);
    expect_status(app.post("/api/auth/verify-otp", &verify).await, StatusCode::OK).await;
    let register = json!({"name": "Reza", "email": "reza.pairing@example.com", "phone": "09127654321",
                          "password": "abc12345", "otpCode": code});
    let registered = expect_status(app.post("/api/user/register", &register).await, StatusCode::CREATED).await;
    let login = json!({"email": "reza.pairing@example.com", "password": "abc12345"});
    let session = expect_status(app.post("/api/user/login", &login).await, StatusCode::OK).await;
    let owner = User {
        id: registered["user"]["id"].as_i64().unwrap(),
        token: session["accessToken"].as_str().unwrap().to_owned(),
    };
    expect_status(link(&app, &owner, json!({"phone": "+98 912 765 4321"})).await, StatusCode::ACCEPTED).await;
    // The auth routes know nothing of pairing codes.
    let sneaky = json!({"target": "09351112233", "channel": "SMS", "purpose": "PAIRING"});
    expect_error(app.post("/api/auth/request-otp", &sneaky).await, StatusCode::BAD_REQUEST, "VALIDATION_ERROR").await;
}

#[tokio::test]
async fn pairing_codes_for_one_number_are_rate_limited_across_users() {
    let app =
        TestApp::spawn_with(&[("PAIRING_RATE_PER_NUMBER_PER_HOUR", "1"), ("OTP_RESEND_COOLDOWN_SECONDS", "0")]).await;
    fleet_full(&app).await;
    let phone = "09351112233";
    let mut answers = Vec::new();
    for _ in 0..2 {
        let owner = user(&app).await;
        expect_status(
            app.post_auth("/api/whatsapp-accounts/pairing-otp", &owner.token, &json!({"phone": phone})).await,
            StatusCode::OK,
        )
        .await;
        let code = app.sms.last_code_for("989351112233").unwrap();
        answers.push(link(&app, &owner, json!({"phone": phone, "otp": code})).await);
    }
    let second = answers.pop().unwrap();
    expect_status(answers.pop().unwrap(), StatusCode::ACCEPTED).await;
    expect_error(second, StatusCode::TOO_MANY_REQUESTS, "RATE_LIMITED").await;
}
