use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{expect_error, expect_status, TestApp};

fn package_body() -> serde_json::Value {
    json!({
        "title": "بسته طلایی",
        "description": "۱۰۰۰ پیام در ۳۰ روز",
        "price": 250_000,
        "duration": 30,
        "category": "gold",
        "messageLimit": 1000,
    })
}

#[tokio::test]
async fn admins_create_read_update_and_delete_packages() {
    let app = TestApp::spawn().await;
    let (_, admin) = app.staff("ADMIN").await;
    let created =
        expect_status(app.post_auth("/api/packages", &admin.access_token, &package_body()).await, StatusCode::CREATED)
            .await;
    let package = &created["package"];
    let id = package["id"].as_i64().unwrap();
    assert_eq!(package["title"], "بسته طلایی");
    assert_eq!(package["status"], "ACTIVE", "new packages are on sale");
    assert_eq!(package["messageLimit"], 1000);
    assert_eq!(package["duration"], 30);
    assert!(package["createdAt"].as_str().unwrap().ends_with('Z'));

    let read = expect_status(app.get(&format!("/api/packages/{id}")).await, StatusCode::OK).await;
    assert_eq!(read["package"], *package);

    // A partial update keeps the other fields; an empty description clears it.
    let body = json!({"price": 300_000, "description": ""});
    let updated =
        expect_status(app.put_auth(&format!("/api/packages/{id}"), &admin.access_token, &body).await, StatusCode::OK)
            .await;
    assert_eq!(updated["package"]["price"], 300_000);
    assert_eq!(updated["package"]["title"], "بسته طلایی");
    assert_eq!(updated["package"]["description"], serde_json::Value::Null);

    let deleted =
        expect_status(app.delete_auth(&format!("/api/packages/{id}"), &admin.access_token).await, StatusCode::OK).await;
    assert_eq!(deleted["deleted"], true);
    expect_error(app.get(&format!("/api/packages/{id}")).await, StatusCode::NOT_FOUND, "NOT_FOUND").await;
    expect_error(
        app.delete_auth(&format!("/api/packages/{id}"), &admin.access_token).await,
        StatusCode::NOT_FOUND,
        "NOT_FOUND",
    )
    .await;
}

#[tokio::test]
async fn the_public_list_shows_active_packages_only() {
    let app = TestApp::spawn().await;
    let (_, admin) = app.staff("ADMIN").await;
    let on_sale = app.create_package(&admin.access_token, 100_000, 30, 500).await;
    let retired = app.create_package(&admin.access_token, 50_000, 30, 200).await;
    let body = json!({"status": "INACTIVE"});
    expect_status(app.put_auth(&format!("/api/packages/{retired}"), &admin.access_token, &body).await, StatusCode::OK)
        .await;

    let public = expect_status(app.get("/api/packages").await, StatusCode::OK).await;
    let ids: Vec<i64> = public["packages"].as_array().unwrap().iter().map(|p| p["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, vec![on_sale]);
    expect_error(app.get(&format!("/api/packages/{retired}")).await, StatusCode::NOT_FOUND, "NOT_FOUND").await;

    // A user's token changes nothing; a stale token is treated as anonymous.
    let (_, user) = app.user().await;
    let listed =
        expect_status(app.get_auth("/api/packages?status=INACTIVE", &user.access_token).await, StatusCode::OK).await;
    assert_eq!(listed["packages"].as_array().unwrap().len(), 1);
    let stale = expect_status(app.get_auth("/api/packages", "not.a.token").await, StatusCode::OK).await;
    assert_eq!(stale["packages"].as_array().unwrap().len(), 1);

    // Administrators see every package, and can filter by status.
    let all = expect_status(app.get_auth("/api/packages", &admin.access_token).await, StatusCode::OK).await;
    assert_eq!(all["packages"].as_array().unwrap().len(), 2);
    let inactive =
        expect_status(app.get_auth("/api/packages?status=INACTIVE", &admin.access_token).await, StatusCode::OK).await;
    assert_eq!(inactive["packages"][0]["id"], retired);
    expect_status(app.get_auth(&format!("/api/packages/{retired}"), &admin.access_token).await, StatusCode::OK).await;
    let bad = expect_error(
        app.get_auth("/api/packages?status=GONE", &admin.access_token).await,
        StatusCode::BAD_REQUEST,
        "VALIDATION_ERROR",
    )
    .await;
    assert_eq!(bad["errors"][0]["field"], "status");
}

#[tokio::test]
async fn package_input_is_validated_and_nothing_changes() {
    let app = TestApp::spawn().await;
    let (_, admin) = app.staff("SUPER_ADMIN").await;
    let token = &admin.access_token;
    let cases = [
        (json!({"title": "x", "price": 1000, "duration": 30}), "messageLimit"),
        (json!({"title": " ", "price": 1000, "duration": 30, "messageLimit": 10}), "title"),
        (json!({"title": "x", "price": 0, "duration": 30, "messageLimit": 10}), "price"),
        (json!({"title": "x", "price": "cheap", "duration": 30, "messageLimit": 10}), "price"),
        (json!({"title": "x", "price": 12.5, "duration": 30, "messageLimit": 10}), "price"),
        (json!({"title": "x", "price": 1000, "duration": 0, "messageLimit": 10}), "duration"),
        (json!({"title": "x", "price": 1000, "duration": 30, "messageLimit": -1}), "messageLimit"),
        (json!({"title": "x", "price": 1000, "duration": 30, "messageLimit": 10, "status": "ON_SALE"}), "status"),
        (json!({"title": "x", "price": 1000, "duration": 30, "messageLimit": 10, "discount": 5}), "discount"),
    ];
    for (body, field) in cases {
        let error = expect_error(
            app.post_auth("/api/packages", token, &body).await,
            StatusCode::BAD_REQUEST,
            "VALIDATION_ERROR",
        )
        .await;
        assert_eq!(error["errors"][0]["field"], field, "{body} → {error}");
    }
    let response = app
        .client
        .post(app.url("/api/packages"))
        .bearer_auth(token)
        .header("content-type", "application/json")
        .body("{oops")
        .send()
        .await
        .unwrap();
    expect_error(response, StatusCode::BAD_REQUEST, "VALIDATION_ERROR").await;
    assert_eq!(app.count("packages").await, 0);

    let id = app.create_package(token, 1000, 30, 10).await;
    let error = expect_error(
        app.put_auth(&format!("/api/packages/{id}"), token, &json!({"duration": 99999})).await,
        StatusCode::BAD_REQUEST,
        "VALIDATION_ERROR",
    )
    .await;
    assert_eq!(error["errors"][0]["field"], "duration");
    let unchanged = expect_status(app.get(&format!("/api/packages/{id}")).await, StatusCode::OK).await;
    assert_eq!(unchanged["package"]["duration"], 30);
    expect_error(
        app.put_auth("/api/packages/999999", token, &json!({"price": 5000})).await,
        StatusCode::NOT_FOUND,
        "NOT_FOUND",
    )
    .await;
    let error = expect_error(app.get("/api/packages/abc").await, StatusCode::BAD_REQUEST, "VALIDATION_ERROR").await;
    assert_eq!(error["errors"][0]["field"], "id");
}

#[tokio::test]
async fn only_administrators_manage_packages() {
    let app = TestApp::spawn().await;
    let (_, admin) = app.staff("ADMIN").await;
    let id = app.create_package(&admin.access_token, 1000, 30, 10).await;
    let (_, user) = app.user().await;
    let path = format!("/api/packages/{id}");
    expect_error(
        app.post_auth("/api/packages", &user.access_token, &package_body()).await,
        StatusCode::FORBIDDEN,
        "ADMIN_REQUIRED",
    )
    .await;
    expect_error(
        app.put_auth(&path, &user.access_token, &json!({"price": 1})).await,
        StatusCode::FORBIDDEN,
        "ADMIN_REQUIRED",
    )
    .await;
    expect_error(app.delete_auth(&path, &user.access_token).await, StatusCode::FORBIDDEN, "ADMIN_REQUIRED").await;
    let anonymous = app.client.post(app.url("/api/packages")).json(&package_body()).send().await.unwrap();
    expect_error(anonymous, StatusCode::UNAUTHORIZED, "UNAUTHORIZED").await;
    let anonymous = app.client.delete(app.url(&path)).send().await.unwrap();
    expect_error(anonymous, StatusCode::UNAUTHORIZED, "UNAUTHORIZED").await;
    assert_eq!(app.count("packages").await, 1);
}

#[tokio::test]
async fn deleting_a_sold_package_takes_it_off_sale_instead() {
    let app = TestApp::spawn().await;
    let (_, admin) = app.staff("ADMIN").await;
    let id = app.create_package(&admin.access_token, 1000, 30, 10).await;
    let (_, user) = app.user().await;
    app.create_order(&user.access_token, id).await;
    let answer =
        expect_status(app.delete_auth(&format!("/api/packages/{id}"), &admin.access_token).await, StatusCode::OK).await;
    assert_eq!(answer["deleted"], false);
    assert_eq!(answer["status"], "INACTIVE");
    let kept =
        expect_status(app.get_auth(&format!("/api/packages/{id}"), &admin.access_token).await, StatusCode::OK).await;
    assert_eq!(kept["package"]["status"], "INACTIVE");
    assert_eq!(app.count("orders").await, 1);
}
