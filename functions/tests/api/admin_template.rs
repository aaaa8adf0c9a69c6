use reqwest::StatusCode;
use rust_xlsxwriter::Workbook;
use serde_json::Value;
use shared::storage::RECIPIENTS_TEMPLATE_KEY;

use crate::helpers::{expect_error, expect_status, TestApp};

const BOUNDARY: &str = "----commerce-test-boundary";

/// A `multipart/form-data` body with one file field.
fn multipart(field: &str, file_name: &str, bytes: &[u8]) -> Vec<u8> {
    let mut body = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nignored\r\n\
         --{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{file_name}\"\r\n\
         Content-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    body
}

fn workbook(header: &[&str]) -> Vec<u8> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    for (column, text) in header.iter().enumerate() {
        sheet.write_string(0, column as u16, *text).unwrap();
    }
    sheet.write_string(1, 0, "09123456789").unwrap();
    workbook.save_to_buffer().unwrap()
}

async fn upload(app: &TestApp, token: &str, field: &str, file_name: &str, bytes: &[u8]) -> reqwest::Response {
    app.client
        .post(app.url("/api/admin/excel-template"))
        .bearer_auth(token)
        .header("content-type", format!("multipart/form-data; boundary={BOUNDARY}"))
        .body(multipart(field, file_name, bytes))
        .send()
        .await
        .unwrap()
}

async fn info(app: &TestApp, token: &str) -> Value {
    expect_status(app.get_auth("/api/admin/excel-template/info", token).await, StatusCode::OK).await["template"].clone()
}

#[tokio::test]
async fn a_real_workbook_with_a_phone_column_becomes_the_template() {
    let app = TestApp::spawn().await;
    let (admin_account, admin) = app.staff("ADMIN").await;
    assert_eq!(info(&app, &admin.access_token).await, Value::Null, "the built-in template until one is uploaded");

    let bytes = workbook(&["نام", "شماره تلفن"]);
    let body =
        expect_status(upload(&app, &admin.access_token, "template", "قالب مخاطبان.xlsx", &bytes).await, StatusCode::OK)
            .await;
    assert_eq!(body["template"]["name"], "قالب مخاطبان.xlsx");
    assert_eq!(body["template"]["size"], bytes.len());
    assert_eq!(body["template"]["uploadedBy"], admin_account.id);
    assert_eq!(info(&app, &admin.access_token).await, body["template"]);
    let stored = app.ctx.storage.get(RECIPIENTS_TEMPLATE_KEY).await.unwrap().expect("stored in S3");
    assert_eq!(stored.bytes, bytes);
    assert_eq!(stored.content_type.as_deref(), Some(shared::excel::XLSX_CONTENT_TYPE));

    // English headers work too, and replace it.
    let english = workbook(&["Name", "PHONE"]);
    expect_status(upload(&app, &admin.access_token, "template", "template.xlsx", &english).await, StatusCode::OK).await;
    assert_eq!(info(&app, &admin.access_token).await["name"], "template.xlsx");
    assert_eq!(app.ctx.storage.get(RECIPIENTS_TEMPLATE_KEY).await.unwrap().unwrap().bytes, english);
}

#[tokio::test]
async fn bad_uploads_are_refused_and_change_nothing() {
    let app = TestApp::spawn().await;
    let (_, admin) = app.staff("SUPER_ADMIN").await;
    let token = &admin.access_token;
    let good = workbook(&["phone"]);
    expect_status(upload(&app, token, "template", "good.xlsx", &good).await, StatusCode::OK).await;
    let before = info(&app, token).await;

    let png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR renamed to look like a workbook".to_vec();
    expect_error(
        upload(&app, token, "template", "renamed.xlsx", &png).await,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "UNSUPPORTED_MEDIA_TYPE",
    )
    .await;
    let no_phone = workbook(&["name", "telephone"]);
    let error = expect_error(
        upload(&app, token, "template", "no-phone.xlsx", &no_phone).await,
        StatusCode::BAD_REQUEST,
        "VALIDATION_ERROR",
    )
    .await;
    assert_eq!(error["errors"][0]["field"], "template");
    assert!(error["message"].as_str().unwrap().contains("شماره تلفن"), "{error}");
    let error = expect_error(
        upload(&app, token, "file", "good.xlsx", &good).await,
        StatusCode::BAD_REQUEST,
        "VALIDATION_ERROR",
    )
    .await;
    assert_eq!(error["errors"][0]["field"], "template");
    let huge = vec![b'x'; 5 * 1024 * 1024 + 1];
    expect_error(
        upload(&app, token, "template", "huge.xlsx", &huge).await,
        StatusCode::PAYLOAD_TOO_LARGE,
        "PAYLOAD_TOO_LARGE",
    )
    .await;
    let json_body = app.post_auth("/api/admin/excel-template", token, &serde_json::json!({"template": "x"})).await;
    expect_error(json_body, StatusCode::UNSUPPORTED_MEDIA_TYPE, "UNSUPPORTED_MEDIA_TYPE").await;

    assert_eq!(info(&app, token).await, before);
    assert_eq!(app.count("recipient_templates").await, 1);
    assert_eq!(app.ctx.storage.get(RECIPIENTS_TEMPLATE_KEY).await.unwrap().unwrap().bytes, good);
}
