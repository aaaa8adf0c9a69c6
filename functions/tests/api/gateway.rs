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
    assert_eq!(response.headers()["allow"], "POST");
    expect_error(response, StatusCode::METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED").await;
}

/// A method a path does not have is a 405 naming the ones it has in
/// `Allow` (RFC 9110), in the envelope — on the API's routes, on those the
/// gateway adds (WebSocket, management) and on the console's alike.
#[tokio::test]
async fn a_method_the_path_lacks_is_405_with_allow() {
    let app = TestApp::spawn().await;
    let cases = [
        (reqwest::Method::PUT, "/api/campaigns", "GET,HEAD,POST"),
        (reqwest::Method::PATCH, "/api/campaigns/1", "GET,HEAD,DELETE"),
        (reqwest::Method::POST, "/api/campaigns/subscription", "GET,HEAD"),
        (reqwest::Method::DELETE, "/api/health", "GET,HEAD"),
        (reqwest::Method::TRACE, "/api/openapi.json", "GET,HEAD"),
        (reqwest::Method::PUT, "/api/suppressions/09121234567", "DELETE"),
        (reqwest::Method::POST, "/ws/campaigns", "GET,HEAD"),
        (reqwest::Method::PUT, "/@connections/abc", "GET,HEAD,POST,DELETE"),
        (reqwest::Method::DELETE, "/console/app.js", "GET,HEAD"),
    ];
    for (method, path, allow) in cases {
        let response = app.client.request(method.clone(), app.url(path)).send().await.unwrap();
        let mut allowed: Vec<String> = response
            .headers()
            .get("allow")
            .unwrap_or_else(|| panic!("{method} {path}: no Allow header"))
            .to_str()
            .unwrap()
            .split(',')
            .map(|m| m.trim().to_owned())
            .collect();
        allowed.sort();
        let mut expected: Vec<&str> = allow.split(',').collect();
        expected.sort();
        assert_eq!(allowed, expected, "{method} {path}");
        let body = expect_error(response, StatusCode::METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED").await;
        assert!(body.get("errors").is_none(), "{body}");
    }
    // The answer is the same with a token: the method is refused before
    // anyone is authenticated, and a path with no route at all stays a 404.
    let (_, user) = app.user().await;
    let response = app.send_auth(reqwest::Method::PUT, "/api/campaigns", &user.access_token, &json!({})).await;
    expect_error(response, StatusCode::METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED").await;
    let response = app.client.put(app.url("/api/no-such-path")).send().await.unwrap();
    expect_error(response, StatusCode::NOT_FOUND, "NOT_FOUND").await;
}

/// A body the route has no use for is read before the answer: a GET that
/// carries 200 kB gets its answer, not a connection reset, and the
/// connection stays usable. A body over the largest any route takes is a
/// 413 in the envelope.
#[tokio::test]
async fn a_body_the_route_does_not_read_is_drained_before_the_answer() {
    let app = TestApp::spawn().await;
    let big = vec![b'x'; 200 * 1024];
    for _ in 0..3 {
        let response = app
            .client
            .get(app.url("/api/health"))
            .header("content-type", "application/octet-stream")
            .body(big.clone())
            .send()
            .await
            .expect("an answer, not a reset");
        expect_status(response, StatusCode::OK).await;
    }
    // The same on a path with no route, and with a method the path lacks.
    let response = app.client.get(app.url("/api/nope")).body(big.clone()).send().await.expect("an answer");
    expect_error(response, StatusCode::NOT_FOUND, "NOT_FOUND").await;
    let response = app.client.delete(app.url("/api/user/login")).body(big.clone()).send().await.expect("an answer");
    expect_error(response, StatusCode::METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED").await;
    // Over the largest body a route takes (an attachment: 20 MB and a
    // multipart envelope).
    let huge = vec![b'x'; 21 * 1024 * 1024];
    let response = app.client.get(app.url("/api/health")).body(huge).send().await.expect("an answer");
    expect_error(response, StatusCode::PAYLOAD_TOO_LARGE, "PAYLOAD_TOO_LARGE").await;
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
