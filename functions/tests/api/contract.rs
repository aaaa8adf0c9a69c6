//! The document tells the truth: a user's whole journey through the API,
//! each answer checked against the schema the OpenAPI document gives for
//! that operation and status (JSON Schema 2020-12, as OpenAPI 3.1 uses).
//! A field renamed in a handler's `json!`, or a documented field the
//! handler stopped sending, fails here.

use reqwest::{Method, Response, StatusCode};
use serde_json::{json, Value};

use crate::{
    campaign_helpers::{self as campaigns, Cell},
    helpers::{TestApp, RESULT_URL},
};

struct Contract {
    doc: Value,
}

impl Contract {
    fn new() -> Self {
        Self { doc: functions::openapi::document() }
    }

    /// Check `response` against the documented answer of `METHOD path` (the
    /// path as documented, `{id}` and all); returns the body.
    async fn check(&self, method: &str, path: &str, response: Response) -> (StatusCode, Value) {
        let status = response.status();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        let errors = self.mismatches(method, path, status, &body);
        assert!(
            errors.is_empty(),
            "{method} {path} ({status}) does not match the document:\n{}\n{body}",
            errors.join("\n")
        );
        (status, body)
    }

    /// How `body` differs from the documented answer.
    fn mismatches(&self, method: &str, path: &str, status: StatusCode, body: &Value) -> Vec<String> {
        let operation = &self.doc["paths"][path][method.to_lowercase()];
        assert!(operation.is_object(), "{method} {path} is not documented");
        let answers = &operation["responses"];
        let answer = answers.get(status.as_str()).unwrap_or(&answers["default"]);
        let schema = &answer["content"]["application/json"]["schema"];
        assert!(schema.is_object(), "{method} {path} answered {status} with no documented JSON body: {body}");
        let mut root = schema.clone();
        root["components"] = self.doc["components"].clone();
        root["$schema"] = json!("https://json-schema.org/draft/2020-12/schema");
        let validator = jsonschema::validator_for(&root).expect("the documented schema compiles");
        validator.iter_errors(body).map(|e| format!("{} at {}", e, e.instance_path)).collect()
    }
}

#[test]
fn the_check_catches_a_renamed_or_missing_field_and_a_wrong_type() {
    let contract = Contract::new();
    let user = json!({"id": 1, "name": "a", "email": "a@example.com", "role": "USER"});
    let good = json!({"success": true, "message": "Logged in", "accessToken": "t", "refreshToken": "r", "user": user});
    assert!(contract.mismatches("POST", "/api/user/login", StatusCode::OK, &good).is_empty());
    let mut renamed = good.clone();
    renamed.as_object_mut().unwrap().remove("accessToken");
    renamed["access_token"] = json!("t");
    assert!(!contract.mismatches("POST", "/api/user/login", StatusCode::OK, &renamed).is_empty());
    let mut wrong_role = good.clone();
    wrong_role["user"]["role"] = json!("KING");
    assert!(!contract.mismatches("POST", "/api/user/login", StatusCode::OK, &wrong_role).is_empty());
    let error = json!({"success": false, "message": "x"});
    assert!(!contract.mismatches("POST", "/api/user/login", StatusCode::BAD_REQUEST, &error).is_empty(), "no code");
}

#[tokio::test]
async fn every_answer_of_a_whole_journey_matches_the_document() {
    let app = TestApp::spawn().await;
    let contract = Contract::new();
    let c = &contract;

    let (_, health) = c.check("GET", "/api/health", app.get("/api/health").await).await;
    assert_eq!(health["status"], "ok");

    // Sign up, log in, profile, tokens.
    let account =
        json!({"name": "مریم", "email": "maryam@example.com", "phone": "09121112233", "password": "a-good-pass-1"});
    let (status, _) =
        c.check("POST", "/api/user/register-simple", app.post("/api/user/register-simple", &account).await).await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, duplicate) =
        c.check("POST", "/api/user/register-simple", app.post("/api/user/register-simple", &account).await).await;
    assert_eq!(duplicate["success"], false);
    let login = json!({"email": "maryam@example.com", "password": "a-good-pass-1"});
    let (_, session) = c.check("POST", "/api/user/login", app.post("/api/user/login", &login).await).await;
    let token = session["accessToken"].as_str().unwrap().to_owned();
    let user_id = session["user"]["id"].as_i64().unwrap();
    c.check("GET", "/api/user/profile", app.get_auth("/api/user/profile", &token).await).await;
    c.check("POST", "/api/user/profile", app.post_auth("/api/user/profile", &token, &json!({"age": 30})).await).await;
    let (status, _) = c.check("GET", "/api/user/profile", app.get("/api/user/profile").await).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let refresh = json!({"refreshToken": session["refreshToken"]});
    let (_, tokens) = c.check("POST", "/api/refresh/token", app.post("/api/refresh/token", &refresh).await).await;
    let refresh = json!({"refreshToken": tokens["refreshToken"]});
    c.check("POST", "/api/auth/logout", app.post_auth("/api/auth/logout", &token, &refresh).await).await;
    let otp = json!({"target": "09121112299", "channel": "SMS", "purpose": "REGISTER"});
    c.check("POST", "/api/auth/request-otp", app.post("/api/auth/request-otp", &otp).await).await;

    // Packages, an order, a payment, the subscription.
    let (_, admin) = app.staff("ADMIN").await;
    let package = json!({"title": "پایه", "description": "۱۰۰ پیام", "price": 100000, "duration": 30, "category": "basic", "messageLimit": 100});
    let (_, created) =
        c.check("POST", "/api/packages", app.post_auth("/api/packages", &admin.access_token, &package).await).await;
    let package_id = created["package"]["id"].as_i64().unwrap();
    c.check("GET", "/api/packages", app.get("/api/packages").await).await;
    c.check("GET", "/api/packages/{id}", app.get(&format!("/api/packages/{package_id}")).await).await;
    let (_, order) = c
        .check("POST", "/api/orders", app.post_auth("/api/orders", &token, &json!({"packageId": package_id})).await)
        .await;
    let order_id = order["order"]["id"].as_i64().unwrap();
    let (_, payment) = c
        .check(
            "POST",
            "/api/payments/request",
            app.post_auth("/api/payments/request", &token, &json!({"orderId": order_id})).await,
        )
        .await;
    let authority = payment["authority"].as_str().unwrap().to_owned();
    app.zarinpal.pay(&authority);
    let verify = json!({"orderId": order_id, "authority": authority});
    let (_, verified) =
        c.check("POST", "/api/payments/verify", app.post_auth("/api/payments/verify", &token, &verify).await).await;
    assert_eq!(verified["order"]["status"], "PAID");
    c.check("GET", "/api/orders/me", app.get_auth("/api/orders/me", &token).await).await;
    c.check("GET", "/api/payments/me", app.get_auth("/api/payments/me", &token).await).await;
    c.check("GET", "/api/campaigns/subscription", app.get_auth("/api/campaigns/subscription", &token).await).await;
    let back = app.redirect_of(&app.url(&format!("/api/payments/callback?Authority={authority}&Status=OK"))).await;
    assert!(back.starts_with(RESULT_URL), "the callback redirects to the result page: {back}");

    // A campaign: create, list, details, rename, interval, recipients, attachment, preview, report.
    let campaign = json!({"title": "نوروز", "message": "سلام {name}", "interval": "FIVE_SECONDS"});
    let (_, created) =
        c.check("POST", "/api/campaigns", app.post_auth("/api/campaigns", &token, &campaign).await).await;
    let id = created["campaign"]["id"].as_i64().unwrap();
    let at = |tail: &str| format!("/api/campaigns/{id}{tail}");
    c.check("GET", "/api/campaigns", app.get_auth("/api/campaigns?page=1&limit=5", &token).await).await;
    let (_, invalid) = c.check("GET", "/api/campaigns", app.get_auth("/api/campaigns?limit=abc", &token).await).await;
    assert!(invalid["errors"].is_array());
    let rename = app.send_auth(Method::PUT, &at("/title"), &token, &json!({"title": "بهار"})).await;
    c.check("PUT", "/api/campaigns/{id}/title", rename).await;
    let interval = app.send_auth(Method::PUT, &at("/interval"), &token, &json!({"interval": "TEN_SECONDS"})).await;
    c.check("PUT", "/api/campaigns/{id}/interval", interval).await;
    let list = campaigns::xlsx(&[
        vec![Cell::Text("phone"), Cell::Text("name")],
        vec![Cell::Text("09120000001"), Cell::Text("علی")],
        vec![Cell::Number(9120000002.0), Cell::Text("Sara")],
        vec![Cell::Text("not a phone"), Cell::Blank],
    ]);
    let user = campaigns::User { id: user_id, token: token.clone() };
    let (_, imported) = c
        .check("POST", "/api/campaigns/{id}/recipients", campaigns::import(&app, &user, id, "list.xlsx", list).await)
        .await;
    assert_eq!(imported["skipped"], 1);
    c.check("GET", "/api/campaigns/{id}/recipients", app.get_auth(&at("/recipients?sortBy=phone"), &token).await).await;
    c.check(
        "POST",
        "/api/campaigns/{id}/recipients/upload-url",
        app.post_auth(&at("/recipients/upload-url"), &token, &json!({})).await,
    )
    .await;
    let attach = campaigns::upload(&app, &at("/attachment"), &token, "attachment", "pic.png", campaigns::png()).await;
    c.check("POST", "/api/campaigns/{id}/attachment", attach).await;
    c.check("GET", "/api/campaigns/{id}/attachment", app.get_auth(&at("/attachment"), &token).await).await;
    let staged =
        campaigns::upload(&app, &at("/attachment/temp"), &token, "attachment", "pic.png", campaigns::png()).await;
    c.check("POST", "/api/campaigns/{id}/attachment/temp", staged).await;
    c.check(
        "POST",
        "/api/campaigns/{id}/attachment/upload-url",
        app.post_auth(&at("/attachment/upload-url"), &token, &json!({})).await,
    )
    .await;
    c.check("GET", "/api/campaigns/{id}", app.get_auth(&at(""), &token).await).await;
    c.check("GET", "/api/campaigns/{id}/preview", app.get_auth(&at("/preview"), &token).await).await;
    c.check("GET", "/api/campaigns/{id}/report", app.get_auth(&at("/report"), &token).await).await;
    c.check("GET", "/api/campaigns/{id}/connection", app.get_auth(&at("/connection"), &token).await).await;
    c.check("GET", "/api/campaigns/scheduled", app.get_auth("/api/campaigns/scheduled", &token).await).await;
    let (status, _) =
        c.check("POST", "/api/campaigns/{id}/start", app.post_auth(&at("/start"), &token, &json!({})).await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "not connected yet");
    let (status, _) = c.check("GET", "/api/campaigns/{id}", app.get_auth("/api/campaigns/999999", &token).await).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    c.check("DELETE", "/api/campaigns/{id}/attachment", app.delete_auth(&at("/attachment"), &token).await).await;
    c.check("DELETE", "/api/campaigns/{id}", app.delete_auth(&at(""), &token).await).await;

    // The admin's pages.
    let admin_token = &admin.access_token;
    c.check("GET", "/api/admin/users", app.get_auth("/api/admin/users?role=USER", admin_token).await).await;
    let status_change = app
        .patch_auth(&format!("/api/admin/users/{user_id}/status"), admin_token, &json!({"status": "INACTIVE"}))
        .await;
    c.check("PATCH", "/api/admin/users/{userId}/status", status_change).await;
    let forbidden =
        app.patch_auth(&format!("/api/admin/users/{user_id}/role"), admin_token, &json!({"role": "ADMIN"})).await;
    let (status, _) = c.check("PATCH", "/api/admin/users/{userId}/role", forbidden).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    c.check("GET", "/api/admin/transactions", app.get_auth("/api/admin/transactions", admin_token).await).await;
    c.check("GET", "/api/admin/dashboard", app.get_auth("/api/admin/dashboard", admin_token).await).await;
    c.check("GET", "/api/admin/excel-template/info", app.get_auth("/api/admin/excel-template/info", admin_token).await)
        .await;
    let updated = app.put_auth(&format!("/api/packages/{package_id}"), admin_token, &json!({"price": 120000})).await;
    c.check("PUT", "/api/packages/{id}", updated).await;
    c.check("DELETE", "/api/packages/{id}", app.delete_auth(&format!("/api/packages/{package_id}"), admin_token).await)
        .await;
}
