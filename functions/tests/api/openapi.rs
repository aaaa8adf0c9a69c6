//! The OpenAPI document: it describes exactly the routes the API answers,
//! passes a real OpenAPI 3.1 validator, is served at `/api/openapi.json`,
//! and its reference page renders every operation in a real Chromium.

use std::{collections::BTreeSet, time::Duration};

use fantoccini::Locator;
use reqwest::StatusCode;
use serde_json::Value;

use crate::{browser::Browser, helpers::TestApp};

fn document() -> Value {
    functions::openapi::document()
}

/// `(METHOD, path)` of every operation in the document.
fn documented(doc: &Value) -> BTreeSet<(String, String)> {
    let mut found = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            if ["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
                found.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    found
}

#[test]
fn every_route_is_documented_and_nothing_else_is() {
    let table: BTreeSet<_> = functions::routes::table().into_iter().map(|r| (r.method, r.path)).collect();
    let doc = documented(&document());
    let undocumented: Vec<_> = table.difference(&doc).collect();
    let unrouted: Vec<_> = doc.difference(&table).collect();
    assert!(undocumented.is_empty(), "routes missing from the OpenAPI document: {undocumented:?}");
    assert!(unrouted.is_empty(), "documented operations no route answers: {unrouted:?}");
}

#[test]
fn every_operation_documents_its_errors_and_protected_ones_need_the_bearer_token() {
    let doc = document();
    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(doc["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");
    let public = [
        "/api/health",
        "/api/openapi.json",
        "/api/docs",
        "/api/auth/request-otp",
        "/api/auth/verify-otp",
        "/api/user/register",
        "/api/user/register-simple",
        "/api/user/login",
        "/api/refresh/token",
        "/api/campaigns/excel-template/download",
        "/api/payments/callback",
    ];
    for (method, path) in documented(&doc) {
        let operation = &doc["paths"][&path][method.to_lowercase()];
        let answers = operation["responses"].as_object().unwrap();
        assert!(answers.contains_key("default"), "{method} {path} has no error answer");
        let error_schema = &answers["default"]["content"]["application/json"]["schema"]["$ref"];
        assert_eq!(error_schema, "#/components/schemas/ErrorEnvelope", "{method} {path}");
        let protected = operation["security"].as_array().is_some_and(|s| !s.is_empty());
        let public_path = public.contains(&path.as_str()) || (method == "GET" && path.starts_with("/api/packages"));
        assert_eq!(protected, !public_path, "{method} {path}: bearer security");
        if protected {
            assert!(answers.contains_key("401"), "{method} {path} does not document 401");
        }
    }
    for name in ["ErrorEnvelope", "WsEvent", "WsClientMessage", "WsServerReply", "CampaignView", "Profile"] {
        assert!(doc["components"]["schemas"].get(name).is_some(), "schema {name} missing");
    }
    let events: Vec<String> = doc["components"]["schemas"]["WsEvent"]["oneOf"]
        .as_array()
        .unwrap()
        .iter()
        .map(|variant| variant.to_string())
        .collect();
    for kind in ["campaign_update", "progress_update", "status_update", "error_update", "completion_update", "qr_code"]
    {
        assert!(events.iter().any(|v| v.contains(kind)), "event {kind} not described");
    }
}

/// The document passes `openapi-spec-validator` (PyPI), which
/// `infra/dev.sh` installs in its venv and names in `OPENAPI_VALIDATOR`.
#[tokio::test]
async fn the_served_document_is_valid_openapi_3_1() {
    let app = TestApp::spawn().await;
    let response = app.get("/api/openapi.json").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/json");
    let served: Value = response.json().await.unwrap();
    assert_eq!(served, document());

    let validator = std::env::var("OPENAPI_VALIDATOR")
        .expect("OPENAPI_VALIDATOR names openapi-spec-validator (run the tests with infra/dev.sh test)");
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), serde_json::to_vec(&served).unwrap()).unwrap();
    let output = std::process::Command::new(&validator)
        .args(["--schema", "3.1"])
        .arg(file.path())
        .output()
        .unwrap_or_else(|e| panic!("{validator}: {e}"));
    let said = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success() && said.contains("OK"), "the validator refused the document:\n{said}");
}

/// The validator is not a rubber stamp: a document with an operation
/// lacking its `responses` is refused.
#[tokio::test]
async fn the_validator_refuses_a_broken_document() {
    let validator = std::env::var("OPENAPI_VALIDATOR").expect("OPENAPI_VALIDATOR is set by infra/dev.sh test");
    let mut broken = document();
    broken["paths"]["/api/health"]["get"].as_object_mut().unwrap().remove("responses");
    broken["paths"]["/api/health"]["get"]["parameters"] = serde_json::json!([{"name": "x", "in": "nowhere"}]);
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), serde_json::to_vec(&broken).unwrap()).unwrap();
    let output = std::process::Command::new(&validator).args(["--schema", "3.1"]).arg(file.path()).output().unwrap();
    assert!(!output.status.success(), "a broken document passed the validator");
}

#[tokio::test]
async fn the_reference_page_renders_every_operation_in_chromium() {
    let app = TestApp::spawn().await;
    let page = app.get("/api/docs").await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(!html.contains("https://"), "the reference page must not load anything from the internet");

    let browser = Browser::start().await;
    browser.client.goto(&app.url("/api/docs")).await.unwrap();
    browser
        .client
        .wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::Css("body[data-ready]"))
        .await
        .expect("the reference page finished rendering");
    let ready = browser.client.find(Locator::Css("body")).await.unwrap().attr("data-ready").await.unwrap();
    let shown_text = browser.client.find(Locator::Css("#content")).await.unwrap().text().await.unwrap();
    assert_eq!(ready.as_deref(), Some("true"), "the page failed: {}", shown_text.chars().take(300).collect::<String>());
    let mut shown = BTreeSet::new();
    for element in browser.client.find_all(Locator::Css("[data-operation]")).await.unwrap() {
        let label = element.attr("data-operation").await.unwrap().unwrap();
        let (method, path) = label.split_once(' ').unwrap();
        shown.insert((method.to_owned(), path.to_owned()));
    }
    let expected = documented(&document());
    assert_eq!(shown, expected, "the page shows other operations than the document has");

    // Trying an operation from the page reaches the API.
    let health = browser.client.find(Locator::Css("[data-operation='GET /api/health']")).await.unwrap();
    health.find(Locator::Css("summary")).await.unwrap().click().await.unwrap();
    health.find(Locator::Css("button")).await.unwrap().click().await.unwrap();
    let answered = async {
        loop {
            let text = health.find(Locator::Css(".try pre")).await.unwrap().text().await.unwrap();
            if text.starts_with("200") {
                return text;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    };
    let text = tokio::time::timeout(Duration::from_secs(20), answered).await.expect("the try-it call answered");
    assert!(text.contains("\"status\": \"ok\""), "{text}");
    browser.client.clone().close().await.unwrap();
}
