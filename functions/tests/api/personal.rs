//! Personal messages through the API: templates checked at creation (with
//! positions, in bounded time), placeholders the list cannot fill refused
//! at start, preview samples, each recipient's text, forgiving imports, the
//! suppression list, and schedules set before the list.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::{
    campaign_helpers::{import, inbox, linked, read_workbook, subscribed, upload, user, xlsx, Cell, User},
    helpers::{expect_error, expect_status, TestApp},
};

async fn create(app: &TestApp, user: &User, message: &str) -> reqwest::Response {
    app.post_auth("/api/campaigns", &user.token, &json!({ "title": "شخصی", "message": message })).await
}

async fn created(app: &TestApp, user: &User, message: &str) -> i64 {
    let body = expect_status(create(app, user, message).await, StatusCode::CREATED).await;
    body["campaign"]["id"].as_i64().unwrap()
}

/// A list under a title row, Persian headers, a city column and phones as
/// numbers (leading zero lost).
fn persian_list() -> Vec<u8> {
    xlsx(&[
        vec![Cell::Text("فهرست مشتریان")],
        vec![],
        vec![Cell::Text("نام"), Cell::Text("شهر"), Cell::Text("شماره موبایل")],
        vec![Cell::Text("علی"), Cell::Text("تهران"), Cell::Number(9121234567.0)],
        vec![Cell::Blank, Cell::Text("شیراز"), Cell::Number(9121234568.0)],
        vec![Cell::Text("سارا"), Cell::Blank, Cell::Text("0912 123 4569")],
    ])
}

#[tokio::test]
async fn hostile_templates_are_a_400_naming_a_position_in_bounded_time() {
    let app = TestApp::spawn().await;
    let user = user(&app).await;
    let deep = "{".repeat(10_000) + &"}".repeat(10_000);
    let huge = "x".repeat(1_000_000);
    let nested = "{a|".repeat(20) + &"}".repeat(20);
    for (message, position) in [
        (deep.as_str(), "position 4097"),
        (huge.as_str(), "position 4097"),
        (nested.as_str(), "position 25"),
        ("سلام {دوست|رفیق", "position 6"),
        ("سلام } دوست", "position 6"),
    ] {
        let started = Instant::now();
        let body = expect_error(create(&app, &user, message).await, StatusCode::BAD_REQUEST, "VALIDATION_ERROR").await;
        assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
        assert_eq!(body["errors"][0]["field"], "message", "{body}");
        let text = body["errors"][0]["message"].as_str().unwrap();
        assert!(text.contains(position), "{position}: {text}");
    }
    assert_eq!(app.count("campaigns").await, 0);
}

#[tokio::test]
async fn start_names_every_placeholder_the_list_cannot_fill() {
    let app = TestApp::spawn().await;
    let user = user(&app).await;
    subscribed(&app, &user).await;
    let id = created(&app, &user, "سلام {{name}} از {{شهر}}، کد {{کد}} و {{رنگ}} {{ کد }} {{تخفیف|۱۰٪}}").await;
    let imported = expect_status(import(&app, &user, id, "list.xlsx", persian_list()).await, StatusCode::OK).await;
    assert_eq!(imported["unresolvedPlaceholders"], json!(["کد", "رنگ"]), "{imported}");
    linked(&app, id, &inbox(&app).await).await;
    let refused = app.post_auth(&format!("/api/campaigns/{id}/start"), &user.token, &json!({})).await;
    let body = expect_error(refused, StatusCode::UNPROCESSABLE_ENTITY, "UNRESOLVED_PLACEHOLDERS").await;
    let message = body["message"].as_str().unwrap();
    assert!(message.contains("{{کد}}") && message.contains("{{رنگ}}") && !message.contains("شهر"), "{message}");
    let status: String =
        sqlx::query_scalar("SELECT status FROM campaigns WHERE id = ?").bind(id).fetch_one(&app.db).await.unwrap();
    assert_eq!(status, "READY");
}

#[tokio::test]
async fn a_list_with_a_title_row_and_an_alias_header_imports_and_says_where_it_found_the_phones() {
    let app = TestApp::spawn().await;
    let user = user(&app).await;
    let id = created(&app, &user, "{{name|مشتری}} {{شهر|}}").await;
    let imported = expect_status(import(&app, &user, id, "list.xlsx", persian_list()).await, StatusCode::OK).await;
    assert_eq!(imported["recipientsCount"], 3, "{imported}");
    assert_eq!(
        imported["layout"],
        json!({"headerRow": 3, "phoneColumn": "C", "phoneHeader": "شماره موبایل", "nameColumn": "A", "columns": ["شهر"]})
    );
    let listed =
        expect_status(app.get_auth(&format!("/api/campaigns/{id}/recipients"), &user.token).await, StatusCode::OK)
            .await;
    let texts: Vec<(&str, &str)> = listed["recipients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["phone"].as_str().unwrap(), r["text"].as_str().unwrap()))
        .collect();
    assert_eq!(texts, [("989121234567", "علی تهران"), ("989121234568", "مشتری شیراز"), ("989121234569", "سارا ")]);

    // The report workbook carries the same texts, the report the new figures.
    let download = app.get_auth(&format!("/api/campaigns/{id}/report/download"), &user.token).await;
    let bytes = download.bytes().await.unwrap();
    let sheets = read_workbook(&bytes);
    let (_, rows) = sheets.iter().find(|(name, _)| name == "Recipients").expect("a recipients sheet");
    let column = rows[0].iter().position(|h| h.starts_with("Message sent")).expect("a text column");
    let sent: Vec<&str> = rows[1..].iter().map(|row| row[column].as_str()).collect();
    assert_eq!(sent, ["علی تهران", "مشتری شیراز", "سارا "]);
    let report =
        expect_status(app.get_auth(&format!("/api/campaigns/{id}/report"), &user.token).await, StatusCode::OK).await;
    let figures =
        (&report["report"]["readCount"], &report["report"]["repliedCount"], &report["report"]["optedOutCount"]);
    assert_eq!(figures, (&json!(0), &json!(0), &json!(0)), "{report}");
}

#[tokio::test]
async fn the_preview_shows_each_samples_text_and_how_many_variants_there_are() {
    let app = TestApp::spawn().await;
    let user = user(&app).await;
    let id = created(&app, &user, "{سلام|درود|وقت بخیر} {{name|دوست}}، {{شهر|}} {پیشنهاد|هدیه} ما").await;
    expect_status(import(&app, &user, id, "list.xlsx", persian_list()).await, StatusCode::OK).await;
    let preview =
        expect_status(app.get_auth(&format!("/api/campaigns/{id}/preview"), &user.token).await, StatusCode::OK).await;
    let preview = &preview["preview"];
    assert_eq!(preview["variants"], 6, "{preview}");
    let samples = preview["samples"].as_array().unwrap();
    assert_eq!(samples.len(), 3);
    assert_eq!(samples[0]["phone"], "989121234567");
    let first = samples[0]["text"].as_str().unwrap();
    assert!(first.contains("علی، تهران"), "{first}");
    assert_eq!(preview["sampleRecipients"][0]["text"], first);
    // The same text on every look.
    let again =
        expect_status(app.get_auth(&format!("/api/campaigns/{id}/preview"), &user.token).await, StatusCode::OK).await;
    assert_eq!(again["preview"]["samples"], preview["samples"]);
}

#[tokio::test]
async fn suppressed_numbers_are_listed_searched_removed_and_left_out_of_imports() {
    let app = TestApp::spawn().await;
    let user = user(&app).await;
    let added = expect_status(
        app.post_auth(
            "/api/suppressions",
            &user.token,
            &json!({"phones": ["09121234567", "+98 912 123 4567", "nonsense"], "reason": "asked by phone"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!((added["added"].as_u64(), added["invalid"].as_u64()), (Some(1), Some(1)), "{added}");
    let sheet = "شماره همراه\n09121234568\n09121234567\n".as_bytes().to_vec();
    let from_file = expect_status(
        upload(&app, "/api/suppressions", &user.token, "suppressionsFile", "no.csv", sheet).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!((from_file["added"].as_u64(), from_file["alreadyListed"].as_u64()), (Some(1), Some(1)), "{from_file}");

    let listed = expect_status(app.get_auth("/api/suppressions?search=۴۵۶۷", &user.token).await, StatusCode::OK).await;
    assert_eq!(listed["pagination"]["total"], 1, "{listed}");
    assert_eq!(listed["suppressions"][0]["phone"], "989121234567");
    assert_eq!(listed["suppressions"][0]["reason"], "asked by phone");
    // Another user's list is their own.
    let other = crate::campaign_helpers::user(&app).await;
    let theirs = expect_status(app.get_auth("/api/suppressions", &other.token).await, StatusCode::OK).await;
    assert_eq!(theirs["pagination"]["total"], 0);

    let id = created(&app, &user, "سلام").await;
    let imported = expect_status(import(&app, &user, id, "list.xlsx", persian_list()).await, StatusCode::OK).await;
    assert_eq!((imported["recipientsCount"].as_u64(), imported["optedOut"].as_u64()), (Some(1), Some(2)), "{imported}");
    let reasons: Vec<&Value> = imported["skippedRows"].as_array().unwrap().iter().map(|r| &r["reason"]).collect();
    assert_eq!(reasons, [&json!("opted out"), &json!("opted out")]);

    let removed =
        app.client.delete(app.url("/api/suppressions/09121234567")).bearer_auth(&user.token).send().await.unwrap();
    expect_status(removed, StatusCode::OK).await;
    let again =
        app.client.delete(app.url("/api/suppressions/09121234567")).bearer_auth(&user.token).send().await.unwrap();
    expect_error(again, StatusCode::NOT_FOUND, "NOT_FOUND").await;
    let imported = expect_status(import(&app, &user, id, "list.xlsx", persian_list()).await, StatusCode::OK).await;
    assert_eq!(imported["recipientsCount"], 2, "{imported}");
}

#[tokio::test]
async fn a_draft_scheduled_before_its_list_is_listed_and_can_be_taken_off_the_schedule() {
    let app = TestApp::spawn().await;
    let user = user(&app).await;
    let at = (chrono::Utc::now() + chrono::TimeDelta::hours(2)).to_rfc3339();
    let body = json!({"message": "سلام", "isScheduled": true, "scheduledAt": at});
    let created = expect_status(app.post_auth("/api/campaigns", &user.token, &body).await, StatusCode::CREATED).await;
    let id = created["campaign"]["id"].as_i64().unwrap();
    let listed = expect_status(app.get_auth("/api/campaigns/scheduled", &user.token).await, StatusCode::OK).await;
    assert_eq!(listed["campaigns"][0]["id"], id, "{listed}");
    assert_eq!(listed["campaigns"][0]["status"], "DRAFT", "{listed}");
    let cancelled = app.post_auth(&format!("/api/campaigns/{id}/cancel-schedule"), &user.token, &json!({})).await;
    let cancelled = expect_status(cancelled, StatusCode::OK).await;
    assert_eq!(cancelled["campaign"]["status"], "DRAFT", "{cancelled}");
    assert_eq!(cancelled["campaign"]["isScheduled"], false, "{cancelled}");
    let listed = expect_status(app.get_auth("/api/campaigns/scheduled", &user.token).await, StatusCode::OK).await;
    assert_eq!(listed["campaigns"], json!([]));
}
