use std::collections::HashMap;

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{expect_error, expect_status, Session, TestApp, RESULT_URL};

/// A user with a PENDING order of a 30-day, 1000-message package at 150 000.
async fn buyer(app: &TestApp) -> (i64, Session, i64) {
    let (_, admin) = app.staff("ADMIN").await;
    let package_id = app.create_package(&admin.access_token, 150_000, 30, 1000).await;
    let (account, session) = app.user().await;
    let order_id = app.create_order(&session.access_token, package_id).await;
    (account.id, session, order_id)
}

fn query_of(url: &str) -> HashMap<String, String> {
    let (base, query) = url.split_once('?').expect("a query string");
    assert_eq!(base, RESULT_URL);
    query.split('&').filter_map(|pair| pair.split_once('=')).map(|(k, v)| (k.to_owned(), v.to_owned())).collect()
}

async fn order_state(app: &TestApp, order_id: i64) -> (String, Option<String>) {
    sqlx::query_as(
        "SELECT o.status, t.status FROM orders o LEFT JOIN transactions t ON t.order_id = o.id WHERE o.id = ?",
    )
    .bind(order_id)
    .fetch_one(&app.db)
    .await
    .unwrap()
}

async fn subscription(app: &TestApp, token: &str) -> Value {
    expect_status(app.get_auth("/api/campaigns/subscription", token).await, StatusCode::OK).await["subscription"]
        .clone()
}

/// `POST /api/payments/verify` for an order and the gateway's authority.
async fn verify(app: &TestApp, token: &str, order_id: i64, authority: &str) -> reqwest::Response {
    app.post_auth("/api/payments/verify", token, &json!({"orderId": order_id, "authority": authority})).await
}

#[tokio::test]
async fn paying_through_zarinpal_grants_the_package() {
    let app = TestApp::spawn().await;
    let (user_id, session, order_id) = buyer(&app).await;
    let (authority, payment_url) = app.request_payment(&session.access_token, order_id).await;
    assert_eq!(payment_url, format!("{}/pg/StartPay/{authority}", app.zarinpal.url));
    let sent = app.zarinpal.last_request();
    assert_eq!(sent["amount"], 150_000);
    assert_eq!(sent["currency"], "IRR");
    assert_eq!(sent["callback_url"], format!("{}/api/payments/callback", app.address));
    assert_eq!(sent["metadata"]["order_id"], order_id.to_string());
    assert!(sent["metadata"]["mobile"].as_str().unwrap().starts_with("0912"));
    assert_eq!(order_state(&app, order_id).await, ("PENDING".into(), Some("PENDING".into())));

    // The buyer pays on the bank page and comes back through our callback.
    let callback = app.redirect_of(&payment_url).await;
    assert!(callback.starts_with(&format!("{}/api/payments/callback?Authority={authority}&Status=OK", app.address)));
    let result = query_of(&app.redirect_of(&callback).await);
    assert_eq!(result["status"], "success");
    assert_eq!(result["orderId"], order_id.to_string());
    assert_eq!(result["refId"], "201");
    assert_eq!(order_state(&app, order_id).await, ("PAID".into(), Some("SUCCESS".into())));

    let sub = subscription(&app, &session.access_token).await;
    assert_eq!(sub["isActive"], true);
    assert_eq!(sub["totalLimit"], 1000);
    assert_eq!(sub["remaining"], 1000);
    assert_eq!(sub["used"], 0);
    assert_eq!(sub["packages"][0]["messageLimit"], 1000);
    let expires: chrono::DateTime<chrono::Utc> = sub["expiresAt"].as_str().unwrap().parse().unwrap();
    let days = (expires - chrono::Utc::now()).num_hours();
    assert!((29 * 24..=30 * 24).contains(&days), "{days} hours");

    // Verifying again later changes nothing and says so.
    let again = expect_status(verify(&app, &session.access_token, order_id, &authority).await, StatusCode::OK).await;
    assert_eq!(again["alreadyVerified"], true);
    assert_eq!(again["refId"], "201");
    assert_eq!(app.count("user_packages").await, 1);

    let payments = expect_status(app.get_auth("/api/payments/me", &session.access_token).await, StatusCode::OK).await;
    let transaction = &payments["transactions"][0];
    assert_eq!(transaction["status"], "SUCCESS");
    assert_eq!(transaction["gateway"], "ZARINPAL");
    assert_eq!(transaction["amount"], 150_000);
    assert!(transaction["paymentDate"].as_str().unwrap().ends_with('Z'));
    assert!(transaction.get("gatewayData").is_none(), "the gateway's record is for administrators");
    let orders = expect_status(app.get_auth("/api/orders/me", &session.access_token).await, StatusCode::OK).await;
    assert_eq!(orders["orders"][0]["status"], "PAID");
    assert_eq!(orders["orders"][0]["transaction"]["refId"], "201");
    let profile = expect_status(app.get_auth("/api/user/profile", &session.access_token).await, StatusCode::OK).await;
    assert_eq!(profile["user"]["subscriptionActive"], true);
    let flag: bool = sqlx::query_scalar("SELECT subscription_active FROM users WHERE id = ?")
        .bind(user_id)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert!(flag);
}

#[tokio::test]
async fn verify_endpoint_settles_a_paid_order() {
    let app = TestApp::spawn().await;
    let (_, session, order_id) = buyer(&app).await;
    let (authority, _) = app.request_payment(&session.access_token, order_id).await;
    app.zarinpal.pay(&authority);
    let verified = expect_status(verify(&app, &session.access_token, order_id, &authority).await, StatusCode::OK).await;
    assert_eq!(verified["alreadyVerified"], false);
    assert_eq!(verified["order"], json!({"id": order_id, "status": "PAID"}));
    assert_eq!(verified["transaction"]["status"], "SUCCESS");
    // A paid order cannot be paid again.
    let response = app.post_auth("/api/payments/request", &session.access_token, &json!({"orderId": order_id})).await;
    expect_error(response, StatusCode::CONFLICT, "ORDER_ALREADY_PAID").await;
    // A late NOK for a settled payment changes nothing and reports success.
    let late = format!("{}/api/payments/callback?Authority={authority}&Status=NOK", app.address);
    assert_eq!(query_of(&app.redirect_of(&late).await)["status"], "success");
    assert_eq!(order_state(&app, order_id).await, ("PAID".into(), Some("SUCCESS".into())));
}

#[tokio::test]
async fn a_declined_payment_grants_nothing_and_can_be_retried() {
    let app = TestApp::spawn().await;
    let (_, session, order_id) = buyer(&app).await;
    let (_, payment_url) = app.request_payment(&session.access_token, order_id).await;
    app.zarinpal.decline_next();
    let callback = app.redirect_of(&payment_url).await;
    assert!(callback.ends_with("&Status=NOK"));
    let result = query_of(&app.redirect_of(&callback).await);
    assert_eq!(result["status"], "failed");
    assert_eq!(result["orderId"], order_id.to_string());
    assert_eq!(result["code"], "PAYMENT_FAILED");
    assert_eq!(order_state(&app, order_id).await, ("PENDING".into(), Some("FAILURE".into())));
    assert_eq!(app.count("user_packages").await, 0);
    assert_eq!(subscription(&app, &session.access_token).await["isActive"], false);

    // A new attempt gets a new authority and can succeed.
    let (authority, payment_url) = app.request_payment(&session.access_token, order_id).await;
    assert_eq!(order_state(&app, order_id).await.1.as_deref(), Some("PENDING"));
    let callback = app.redirect_of(&payment_url).await;
    assert!(callback.contains(&authority));
    assert_eq!(query_of(&app.redirect_of(&callback).await)["status"], "success");
    assert_eq!(app.count("user_packages").await, 1);
}

#[tokio::test]
async fn an_unpaid_authority_fails_verification_with_code_51() {
    let app = TestApp::spawn().await;
    let (_, session, order_id) = buyer(&app).await;
    let (authority, _) = app.request_payment(&session.access_token, order_id).await;
    // Status=OK forged without paying: the gateway says -51.
    let forged = format!("{}/api/payments/callback?Authority={authority}&Status=OK", app.address);
    let result = query_of(&app.redirect_of(&forged).await);
    assert_eq!(result["status"], "failed");
    assert_eq!(result["code"], "PAYMENT_FAILED");
    let error = expect_error(
        verify(&app, &session.access_token, order_id, &authority).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "PAYMENT_FAILED",
    )
    .await;
    assert!(error["message"].as_str().unwrap().contains("cancelled or failed"), "{error}");
    assert_eq!(order_state(&app, order_id).await, ("PENDING".into(), Some("FAILURE".into())));
    assert_eq!(app.count("user_packages").await, 0);
}

#[tokio::test]
async fn the_paid_amount_must_equal_the_package_price() {
    let app = TestApp::spawn().await;
    let (_, session, order_id) = buyer(&app).await;
    let (authority, _) = app.request_payment(&session.access_token, order_id).await;
    // The payer managed to pay less than asked: the gateway answers -50.
    app.zarinpal.pay_amount(&authority, 1_000);
    let error = expect_error(
        verify(&app, &session.access_token, order_id, &authority).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "PAYMENT_FAILED",
    )
    .await;
    assert!(error["message"].as_str().unwrap().contains("amount"), "{error}");
    assert_eq!(order_state(&app, order_id).await, ("PENDING".into(), Some("FAILURE".into())));

    // The price changed after the payment started: refused without granting.
    let (authority, _) = app.request_payment(&session.access_token, order_id).await;
    app.zarinpal.pay(&authority);
    let (_, admin) = app.staff("ADMIN").await;
    let package_id: i64 = sqlx::query_scalar("SELECT package_id FROM orders WHERE id = ?")
        .bind(order_id)
        .fetch_one(&app.db)
        .await
        .unwrap();
    expect_status(
        app.put_auth(&format!("/api/packages/{package_id}"), &admin.access_token, &json!({"price": 200_000})).await,
        StatusCode::OK,
    )
    .await;
    expect_error(
        verify(&app, &session.access_token, order_id, &authority).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "PAYMENT_FAILED",
    )
    .await;
    assert_eq!(app.count("user_packages").await, 0);
}

#[tokio::test]
async fn another_users_order_is_not_found() {
    let app = TestApp::spawn().await;
    let (_, owner, order_id) = buyer(&app).await;
    let (authority, _) = app.request_payment(&owner.access_token, order_id).await;
    app.zarinpal.pay(&authority);
    let (_, intruder) = app.user().await;
    let token = &intruder.access_token;
    expect_error(
        app.post_auth("/api/payments/request", token, &json!({"orderId": order_id})).await,
        StatusCode::NOT_FOUND,
        "NOT_FOUND",
    )
    .await;
    expect_error(verify(&app, token, order_id, &authority).await, StatusCode::NOT_FOUND, "NOT_FOUND").await;
    // The owner with a wrong authority: also not found.
    let wrong = "A000000000000000000000000000000000042";
    expect_error(verify(&app, &owner.access_token, order_id, wrong).await, StatusCode::NOT_FOUND, "NOT_FOUND").await;
    assert_eq!(order_state(&app, order_id).await, ("PENDING".into(), Some("PENDING".into())));
    assert_eq!(app.zarinpal.verify_calls(), 0, "the gateway was never asked");
    // An unknown authority at the callback sends the browser to the failure page.
    let unknown = format!("{}/api/payments/callback?Authority=A999&Status=OK", app.address);
    assert_eq!(query_of(&app.redirect_of(&unknown).await)["code"], "NOT_FOUND");
    let missing = format!("{}/api/payments/callback", app.address);
    assert_eq!(query_of(&app.redirect_of(&missing).await)["status"], "failed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_racing_verifications_grant_exactly_once() {
    let app = TestApp::spawn().await;
    let (user_id, session, order_id) = buyer(&app).await;
    let (authority, _) = app.request_payment(&session.access_token, order_id).await;
    app.zarinpal.pay(&authority);
    // Ten verify calls and ten gateway callbacks, all at once.
    let mut racers = tokio::task::JoinSet::new();
    for i in 0..20 {
        let request = if i % 2 == 0 {
            app.client
                .post(app.url("/api/payments/verify"))
                .bearer_auth(&session.access_token)
                .json(&json!({"orderId": order_id, "authority": authority}))
        } else {
            app.client.get(app.url(&format!("/api/payments/callback?Authority={authority}&Status=OK")))
        };
        racers.spawn(async move { request.send().await.unwrap() });
    }
    while let Some(response) = racers.join_next().await {
        let response = response.unwrap();
        if response.status().is_redirection() {
            assert_eq!(query_of(response.headers()["location"].to_str().unwrap())["status"], "success");
        } else {
            expect_status(response, StatusCode::OK).await;
        }
    }

    assert_eq!(app.count("user_packages").await, 1);
    let successes: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM transactions WHERE status = 'SUCCESS'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(successes, 1);
    assert_eq!(order_state(&app, order_id).await, ("PAID".into(), Some("SUCCESS".into())));
    // One extension of 30 days, not twenty.
    let expires: chrono::DateTime<chrono::Utc> =
        sqlx::query_scalar("SELECT subscription_expires_at FROM users WHERE id = ?")
            .bind(user_id)
            .fetch_one(&app.db)
            .await
            .unwrap();
    let days = (expires - chrono::Utc::now()).num_hours() / 24;
    assert_eq!(days, 29, "{expires}");
}

#[tokio::test]
async fn a_second_package_extends_from_the_current_expiry() {
    let app = TestApp::spawn().await;
    let (user_id, session, order_id) = buyer(&app).await;
    let (authority, _) = app.request_payment(&session.access_token, order_id).await;
    app.zarinpal.pay(&authority);
    expect_status(verify(&app, &session.access_token, order_id, &authority).await, StatusCode::OK).await;
    let package_id: i64 = sqlx::query_scalar("SELECT package_id FROM orders WHERE id = ?")
        .bind(order_id)
        .fetch_one(&app.db)
        .await
        .unwrap();
    let second = app.create_order(&session.access_token, package_id).await;
    let (authority, _) = app.request_payment(&session.access_token, second).await;
    app.zarinpal.pay(&authority);
    expect_status(verify(&app, &session.access_token, second, &authority).await, StatusCode::OK).await;

    let sub = subscription(&app, &session.access_token).await;
    assert_eq!(sub["totalLimit"], 2000);
    assert_eq!(sub["packages"].as_array().unwrap().len(), 2);
    let expires: chrono::DateTime<chrono::Utc> = sub["expiresAt"].as_str().unwrap().parse().unwrap();
    let days = (expires - chrono::Utc::now()).num_hours() / 24;
    assert_eq!(days, 59, "30 + 30 days");

    // Once expired, a purchase counts from now again, and the subscription
    // reads as inactive until then.
    sqlx::query("UPDATE users SET subscription_expires_at = ? WHERE id = ?")
        .bind(chrono::Utc::now() - chrono::Duration::days(1))
        .bind(user_id)
        .execute(&app.db)
        .await
        .unwrap();
    let expired = subscription(&app, &session.access_token).await;
    assert_eq!(expired["isActive"], false);
    assert_eq!(expired["remaining"], 0);
}

#[tokio::test]
async fn gateway_trouble_is_a_503_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let (_, session, order_id) = buyer(&app).await;
    app.zarinpal.set_merchant_inactive(true);
    let response = app.post_auth("/api/payments/request", &session.access_token, &json!({"orderId": order_id})).await;
    let error = expect_error(response, StatusCode::SERVICE_UNAVAILABLE, "SERVICE_UNAVAILABLE").await;
    assert!(!error.to_string().contains(&app.zarinpal.merchant_id));
    assert_eq!(app.count("transactions").await, 0);

    app.zarinpal.set_merchant_inactive(false);
    let (authority, _) = app.request_payment(&session.access_token, order_id).await;
    app.zarinpal.pay(&authority);
    app.zarinpal.set_merchant_inactive(true);
    expect_error(
        verify(&app, &session.access_token, order_id, &authority).await,
        StatusCode::SERVICE_UNAVAILABLE,
        "SERVICE_UNAVAILABLE",
    )
    .await;
    assert_eq!(
        order_state(&app, order_id).await,
        ("PENDING".into(), Some("PENDING".into())),
        "a retry can still succeed"
    );
    app.zarinpal.set_merchant_inactive(false);
    expect_status(verify(&app, &session.access_token, order_id, &authority).await, StatusCode::OK).await;
}

#[tokio::test]
async fn payment_input_is_validated() {
    let app = TestApp::spawn().await;
    let (_, session, order_id) = buyer(&app).await;
    let token = &session.access_token;
    for body in [json!({}), json!({"orderId": "x"}), json!({"orderId": order_id, "extra": true})] {
        expect_error(
            app.post_auth("/api/payments/request", token, &body).await,
            StatusCode::BAD_REQUEST,
            "VALIDATION_ERROR",
        )
        .await;
    }
    let error = expect_error(
        app.post_auth("/api/payments/verify", token, &json!({"orderId": order_id})).await,
        StatusCode::BAD_REQUEST,
        "VALIDATION_ERROR",
    )
    .await;
    assert_eq!(error["errors"][0]["field"], "authority");
    let anonymous = app
        .client
        .post(app.url("/api/payments/verify"))
        .json(&json!({"orderId": 1, "authority": "A"}))
        .send()
        .await
        .unwrap();
    expect_error(anonymous, StatusCode::UNAUTHORIZED, "UNAUTHORIZED").await;
    assert_eq!(app.count("transactions").await, 0);
}

#[tokio::test]
async fn the_mock_gateway_takes_the_same_path() {
    let app = TestApp::spawn_with(&[("PAYMENT_GATEWAY", "mock")]).await;
    let (_, session, order_id) = buyer(&app).await;
    let (authority, payment_url) = app.request_payment(&session.access_token, order_id).await;
    assert!(authority.starts_with("MOCK"));
    assert_eq!(payment_url, format!("{}/api/payments/callback?Authority={authority}&Status=OK", app.address));
    let result = query_of(&app.redirect_of(&payment_url).await);
    assert_eq!(result["status"], "success");
    assert_eq!(order_state(&app, order_id).await, ("PAID".into(), Some("SUCCESS".into())));
    let gateway: String = sqlx::query_scalar("SELECT gateway FROM transactions").fetch_one(&app.db).await.unwrap();
    assert_eq!(gateway, "MOCK");
    assert_eq!(app.zarinpal.verify_calls(), 0);
}

#[tokio::test]
async fn without_a_gateway_payments_are_unavailable() {
    let app = TestApp::spawn_with(&[("PAYMENT_GATEWAY", "disabled")]).await;
    let (_, session, order_id) = buyer(&app).await;
    let response = app.post_auth("/api/payments/request", &session.access_token, &json!({"orderId": order_id})).await;
    expect_error(response, StatusCode::SERVICE_UNAVAILABLE, "SERVICE_UNAVAILABLE").await;
    assert_eq!(app.count("transactions").await, 0);
}

/// `POST /api/payments/request` as API Gateway forwards it from `api.example.com`.
async fn request_via_public_host(app: &TestApp, token: &str, order_id: i64) {
    let response = app
        .client
        .post(app.url("/api/payments/request"))
        .bearer_auth(token)
        .header("host", "api.example.com")
        .header("x-forwarded-proto", "https")
        .json(&json!({"orderId": order_id}))
        .send()
        .await
        .unwrap();
    expect_status(response, StatusCode::OK).await;
}

/// A client naming a host of its choosing, as a proxy would pass it on.
async fn request_with_forged_host(app: &TestApp, token: &str, order_id: i64) -> reqwest::Response {
    app.client
        .post(app.url("/api/payments/request"))
        .bearer_auth(token)
        .header("host", "evil.example")
        .header("x-forwarded-host", "evil.example")
        .header("x-forwarded-proto", "https")
        .json(&json!({"orderId": order_id}))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_forged_forwarded_host_never_reaches_the_callback() {
    let app = TestApp::spawn().await;
    let (_, session, order_id) = buyer(&app).await;
    let started =
        expect_status(request_with_forged_host(&app, &session.access_token, order_id).await, StatusCode::OK).await;
    let callback = app.zarinpal.last_request()["callback_url"].as_str().unwrap().to_owned();
    assert_eq!(callback, format!("{}/api/payments/callback", app.address));
    assert!(!started.to_string().contains("evil.example"), "{started}");

    // The mock gateway's payment page is the callback itself.
    let app = TestApp::spawn_with(&[("PAYMENT_GATEWAY", "mock")]).await;
    let (_, session, order_id) = buyer(&app).await;
    let started =
        expect_status(request_with_forged_host(&app, &session.access_token, order_id).await, StatusCode::OK).await;
    let payment_url = started["paymentUrl"].as_str().unwrap();
    assert!(payment_url.starts_with(&format!("{}/api/payments/callback?", app.address)), "{payment_url}");
    assert!(!payment_url.contains("evil.example"), "{payment_url}");
}

#[tokio::test]
async fn without_a_configured_base_a_real_gateway_answers_503() {
    let app = TestApp::spawn_with(&[("PAYMENT_CALLBACK_BASE_URL", "")]).await;
    let (_, session, order_id) = buyer(&app).await;
    let response = request_with_forged_host(&app, &session.access_token, order_id).await;
    let error = expect_error(response, StatusCode::SERVICE_UNAVAILABLE, "SERVICE_UNAVAILABLE").await;
    assert!(!error.to_string().contains("evil.example"), "{error}");
    assert_eq!(app.zarinpal.request_count(), 0, "the gateway was called");
    assert_eq!(app.count("transactions").await, 0);
    assert!(crate::log_capture::all().contains("PAYMENT_CALLBACK_BASE_URL is not set"));
}

#[tokio::test]
async fn a_configured_base_wins_over_the_request_host() {
    let app = TestApp::spawn_with(&[("PAYMENT_CALLBACK_BASE_URL", "https://pay.example.org/v1/")]).await;
    let (_, session, order_id) = buyer(&app).await;
    request_via_public_host(&app, &session.access_token, order_id).await;
    assert_eq!(app.zarinpal.last_request()["callback_url"], "https://pay.example.org/v1/api/payments/callback");
}
