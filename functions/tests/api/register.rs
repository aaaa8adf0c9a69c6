use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{expect_error, expect_status, TestApp};

fn valid() -> serde_json::Value {
    json!({"name": "مریم احمدی", "email": "Maryam@Example.com", "phone": "۰۹۱۲۳۴۵۶۷۸۹", "password": "s3cret-pass"})
}

#[tokio::test]
async fn register_simple_creates_a_user_without_exposing_the_hash() {
    let app = TestApp::spawn().await;
    let response = app.post("/api/user/register-simple", &valid()).await;
    let body = expect_status(response, StatusCode::CREATED).await;
    assert_eq!(body["success"], true);
    let user = &body["user"];
    assert_eq!(user["name"], "مریم احمدی");
    assert_eq!(user["email"], "maryam@example.com");
    assert_eq!(user["phone"], "989123456789");
    assert_eq!(user["role"], "USER");
    assert_eq!(user["status"], "ACTIVE");
    assert_eq!(user["subscriptionActive"], false);
    let text = body.to_string();
    assert!(!text.contains("s3cret-pass") && !text.contains("argon2") && !text.contains("password"), "{text}");
}

#[tokio::test]
async fn duplicate_email_or_phone_is_a_conflict() {
    let app = TestApp::spawn().await;
    expect_status(app.post("/api/user/register-simple", &valid()).await, StatusCode::CREATED).await;

    let mut same_email = valid();
    same_email["phone"] = json!("09351112233");
    same_email["email"] = json!("MARYAM@example.com");
    expect_error(app.post("/api/user/register-simple", &same_email).await, StatusCode::CONFLICT, "EMAIL_TAKEN").await;

    // The same phone spelled differently is the same phone.
    let mut same_phone = valid();
    same_phone["email"] = json!("other@example.com");
    same_phone["phone"] = json!("+98 912 345 6789");
    expect_error(app.post("/api/user/register-simple", &same_phone).await, StatusCode::CONFLICT, "PHONE_TAKEN").await;
    assert_eq!(app.count("users").await, 1);
}

#[tokio::test]
async fn bad_input_is_a_400_naming_fields_and_writes_nothing() {
    let app = TestApp::spawn().await;
    let cases: Vec<(&str, &str)> = vec![
        ("{\"name\": \"x\", ", "body"),
        ("", "body"),
        ("[1,2]", "body"),
        (r#"{"name":"a","email":"a@example.com","phone":"09123456789"}"#, "password"),
        (r#"{"name":"a","email":"a@example.com","phone":9123456789,"password":"abc12345"}"#, "phone"),
        (r#"{"name":"a","email":"not-an-email","phone":"09123456789","password":"abc12345"}"#, "email"),
        (r#"{"name":"a","email":"a@example.com","phone":"12","password":"abc12345"}"#, "phone"),
        (r#"{"name":"a","email":"a@example.com","phone":"09123456789","password":"short"}"#, "password"),
        (r#"{"name":"   ","email":"a@example.com","phone":"09123456789","password":"abc12345"}"#, "name"),
    ];
    for (body, field) in cases {
        let response = app.post_raw("/api/user/register-simple", body).await;
        let error = expect_error(response, StatusCode::BAD_REQUEST, "VALIDATION_ERROR").await;
        let fields: Vec<&str> =
            error["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
        assert!(fields.contains(&field), "{body} → {error}");
    }
    // Several invalid fields are reported together.
    let response =
        app.post("/api/user/register-simple", &json!({"name": "", "email": "x", "phone": "x", "password": "x"})).await;
    let error = expect_error(response, StatusCode::BAD_REQUEST, "VALIDATION_ERROR").await;
    assert_eq!(error["errors"].as_array().unwrap().len(), 4, "{error}");
    assert_eq!(app.count("users").await, 0);
}

#[tokio::test]
async fn register_simple_can_be_switched_off() {
    let app = TestApp::spawn_with(&[("REGISTER_SIMPLE_ENABLED", "false")]).await;
    expect_error(app.post("/api/user/register-simple", &valid()).await, StatusCode::FORBIDDEN, "REGISTRATION_DISABLED")
        .await;
    assert_eq!(app.count("users").await, 0);
}
