use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{expect_error, expect_status, TestApp};

#[tokio::test]
async fn health_answers_and_carries_security_headers() {
    let app = TestApp::spawn().await;
    let response = app.client.get(app.url("/api/health")).send().await.unwrap();
    let headers = response.headers().clone();
    let body = expect_status(response, StatusCode::OK).await;
    assert_eq!(body["database"], "ok");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["x-frame-options"], "DENY");
    assert!(headers.contains_key("strict-transport-security"));
    assert!(headers.contains_key("content-security-policy"));
}

#[tokio::test]
async fn unknown_routes_and_methods_answer_in_the_envelope() {
    let app = TestApp::spawn().await;
    let response = app.client.get(app.url("/api/nope")).send().await.unwrap();
    expect_error(response, StatusCode::NOT_FOUND, "NOT_FOUND").await;
    let response = app.client.delete(app.url("/api/user/login")).send().await.unwrap();
    assert!(response.status().is_client_error());
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["success"], false);
}

#[tokio::test]
async fn cors_allows_only_the_frontend() {
    let app = TestApp::spawn().await;
    let preflight = |origin: &'static str| {
        app.client
            .request(reqwest::Method::OPTIONS, app.url("/api/user/login"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type,authorization")
            .send()
    };
    let allowed = preflight("http://app.example.test").await.unwrap();
    assert_eq!(allowed.headers()["access-control-allow-origin"], "http://app.example.test");
    let denied = preflight("http://evil.example").await.unwrap();
    assert!(!denied.headers().contains_key("access-control-allow-origin"));
}

#[tokio::test]
async fn clients_are_rate_limited_with_retry_after() {
    let app = TestApp::spawn_with(&[("RATE_LIMIT_MAX", "5"), ("RATE_LIMIT_WINDOW_SECONDS", "900")]).await;
    for _ in 0..5 {
        let response = app.post("/api/user/login", &json!({"email": "a@example.com", "password": "x"})).await;
        assert_ne!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    }
    let response = app.client.get(app.url("/api/health")).send().await.unwrap();
    let retry_after: u64 = response.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((170..=180).contains(&retry_after), "{retry_after}");
    expect_error(response, StatusCode::TOO_MANY_REQUESTS, "RATE_LIMITED").await;
}
