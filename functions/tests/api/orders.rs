use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{expect_error, expect_status, TestApp};

#[tokio::test]
async fn a_user_orders_a_package_on_sale() {
    let app = TestApp::spawn().await;
    let (_, admin) = app.staff("ADMIN").await;
    let package_id = app.create_package(&admin.access_token, 120_000, 30, 500).await;
    let (_, user) = app.user().await;
    let response = app.post_auth("/api/orders", &user.access_token, &json!({"packageId": package_id})).await;
    let body = expect_status(response, StatusCode::CREATED).await;
    assert_eq!(body["success"], true);
    let order = &body["order"];
    assert_eq!(order["status"], "PENDING");
    assert_eq!(order["package"], json!({"id": package_id, "title": "بسته 500 پیامی", "price": 120_000}));

    let mine = expect_status(app.get_auth("/api/orders/me", &user.access_token).await, StatusCode::OK).await;
    assert_eq!(mine["orders"][0]["id"], order["id"]);
    assert_eq!(mine["orders"][0]["package"]["messageLimit"], 500);
    assert_eq!(mine["orders"][0]["transaction"], serde_json::Value::Null);
    assert_eq!(mine["pagination"], json!({"page": 1, "limit": 10, "total": 1, "totalPages": 1}));

    // Another user sees none of it.
    let (_, other) = app.user().await;
    let theirs = expect_status(app.get_auth("/api/orders/me", &other.access_token).await, StatusCode::OK).await;
    assert_eq!(theirs["orders"], json!([]));
}

#[tokio::test]
async fn orders_need_a_package_on_sale_and_valid_input() {
    let app = TestApp::spawn().await;
    let (_, admin) = app.staff("ADMIN").await;
    let retired = app.create_package(&admin.access_token, 1000, 30, 10).await;
    expect_status(
        app.put_auth(&format!("/api/packages/{retired}"), &admin.access_token, &json!({"status": "INACTIVE"})).await,
        StatusCode::OK,
    )
    .await;
    let (_, user) = app.user().await;
    let token = &user.access_token;
    expect_error(
        app.post_auth("/api/orders", token, &json!({"packageId": retired})).await,
        StatusCode::NOT_FOUND,
        "NOT_FOUND",
    )
    .await;
    expect_error(
        app.post_auth("/api/orders", token, &json!({"packageId": 424242})).await,
        StatusCode::NOT_FOUND,
        "NOT_FOUND",
    )
    .await;
    for body in [json!({}), json!({"packageId": "one"}), json!({"packageId": 1, "price": 1})] {
        expect_error(app.post_auth("/api/orders", token, &body).await, StatusCode::BAD_REQUEST, "VALIDATION_ERROR")
            .await;
    }
    let error = expect_error(
        app.get_auth("/api/orders/me?limit=500", token).await,
        StatusCode::BAD_REQUEST,
        "VALIDATION_ERROR",
    )
    .await;
    assert_eq!(error["errors"][0]["field"], "limit");
    let anonymous = app.client.post(app.url("/api/orders")).json(&json!({"packageId": retired})).send().await.unwrap();
    expect_error(anonymous, StatusCode::UNAUTHORIZED, "UNAUTHORIZED").await;
    assert_eq!(app.count("orders").await, 0);
}
