#![allow(dead_code)] // each campaigns test module uses a different part of the kit
//! What the campaigns tests share: a logged-in user, campaigns, spreadsheets
//! written with rust_xlsxwriter and read back with calamine, multipart and
//! presigned uploads.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use reqwest::{multipart, Response, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{expect_status, TestApp};

/// A registered, logged-in user.
pub struct User {
    pub id: i64,
    pub token: String,
}

pub async fn user(app: &TestApp) -> User {
    let account = app.register().await;
    let session = app.login(&account).await;
    User { id: account.id, token: session.access_token }
}

pub async fn create_campaign(app: &TestApp, user: &User, title: &str) -> i64 {
    let body = json!({ "title": title, "message": "سلام {name}، تخفیف نوروزی!" });
    let created = expect_status(app.post_auth("/api/campaigns", &user.token, &body).await, StatusCode::CREATED).await;
    created["campaign"]["id"].as_i64().unwrap()
}

pub async fn put_auth(app: &TestApp, path: &str, token: &str, body: &Value) -> Response {
    app.client.put(app.url(path)).bearer_auth(token).json(body).send().await.unwrap()
}

pub async fn delete_auth(app: &TestApp, path: &str, token: &str) -> Response {
    app.client.delete(app.url(path)).bearer_auth(token).send().await.unwrap()
}

/// POST one file as multipart form field `field`.
pub async fn upload(app: &TestApp, path: &str, token: &str, field: &str, file_name: &str, bytes: Vec<u8>) -> Response {
    let part = multipart::Part::bytes(bytes).file_name(file_name.to_owned());
    let form = multipart::Form::new().part(field.to_owned(), part);
    app.client.post(app.url(path)).bearer_auth(token).multipart(form).send().await.unwrap()
}

pub async fn import(app: &TestApp, user: &User, id: i64, file_name: &str, bytes: Vec<u8>) -> Response {
    upload(app, &format!("/api/campaigns/{id}/recipients"), &user.token, "recipientsFile", file_name, bytes).await
}

/// PUT bytes to a presigned URL the way a browser would.
pub async fn put_presigned(app: &TestApp, grant: &Value, bytes: Vec<u8>) {
    let url = grant["uploadUrl"].as_str().unwrap();
    let content_type = grant["headers"]["Content-Type"].as_str().unwrap();
    let response = app.client.put(url).header("content-type", content_type).body(bytes).send().await.unwrap();
    assert!(response.status().is_success(), "presigned PUT failed: {}", response.text().await.unwrap());
}

/// A cell of a test spreadsheet.
pub enum Cell<'a> {
    Text(&'a str),
    Number(f64),
    Blank,
}

/// An .xlsx with one sheet holding `rows`.
pub fn xlsx(rows: &[Vec<Cell<'_>>]) -> Vec<u8> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            match cell {
                Cell::Text(text) => sheet.write_string(r as u32, c as u16, *text).map(|_| ()),
                Cell::Number(number) => sheet.write_number(r as u32, c as u16, *number).map(|_| ()),
                Cell::Blank => Ok(()),
            }
            .unwrap();
        }
    }
    workbook.save_to_buffer().unwrap()
}

/// Every sheet of a workbook as rows of text (numbers as written by Rust).
pub fn read_workbook(bytes: &[u8]) -> Vec<(String, Vec<Vec<String>>)> {
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).expect("a readable .xlsx");
    workbook
        .sheet_names()
        .into_iter()
        .map(|name| {
            let range = workbook.worksheet_range(&name).unwrap();
            let rows = range
                .rows()
                .map(|row| {
                    row.iter()
                        .map(|cell| match cell {
                            Data::Empty => String::new(),
                            other => other.to_string(),
                        })
                        .collect()
                })
                .collect();
            (name, rows)
        })
        .collect()
}

pub fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

pub async fn campaign_status(app: &TestApp, id: i64) -> (String, i32) {
    sqlx::query_as("SELECT status, total_recipients FROM campaigns WHERE id = ?")
        .bind(id)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

pub async fn phones(app: &TestApp, id: i64) -> Vec<String> {
    sqlx::query_scalar("SELECT phone FROM recipients WHERE campaign_id = ? ORDER BY id")
        .bind(id)
        .fetch_all(&app.db)
        .await
        .unwrap()
}

pub async fn set_status(app: &TestApp, id: i64, status: &str) {
    sqlx::query("UPDATE campaigns SET status = ? WHERE id = ?").bind(status).bind(id).execute(&app.db).await.unwrap();
}

pub async fn object_exists(app: &TestApp, key: &str) -> bool {
    app.ctx.storage.size(key).await.unwrap().is_some()
}

/// Bytes of a tiny valid PNG.
pub fn png() -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89".to_vec();
    bytes.extend_from_slice(b"\0\0\0\nIDATx\x9cc\0\x01\0\0\x05\0\x01\r\n-\xb4\0\0\0\0IEND\xaeB`\x82");
    bytes
}

/// An active subscription with a 100-message package.
pub async fn subscribed(app: &TestApp, user: &User) {
    let package =
        sqlx::query("INSERT INTO packages (title, price, duration, message_limit) VALUES ('p', 1000, 30, 100)")
            .execute(&app.db)
            .await
            .unwrap()
            .last_insert_id() as i64;
    let email: String =
        sqlx::query_scalar("SELECT email FROM users WHERE id = ?").bind(user.id).fetch_one(&app.db).await.unwrap();
    shared::commerce::subscription::give(&app.db, &shared::domain::Email::parse(&email).unwrap(), package)
        .await
        .unwrap();
}

/// A fresh queue standing in for a sender's inbox.
pub async fn inbox(app: &TestApp) -> String {
    let name = format!("test-inbox-{}", uuid::Uuid::new_v4().simple());
    app.ctx.queues.client().create_queue().queue_name(name).send().await.unwrap().queue_url.unwrap()
}

/// The bodies of the commands waiting on `queue` (taken off it).
pub async fn commands_in(app: &TestApp, queue: &str) -> Vec<String> {
    let received = app.ctx.queues.receive(queue, 10, 1).await.unwrap();
    received.into_iter().map(|m| m.body).collect()
}

/// What a sender does when the user has scanned, as a fixture: the
/// campaign's owner has a linked WhatsApp number, which the campaign
/// sends from, with its session run by a (test) sender whose inbox is
/// `inbox`; the number's id.
pub async fn linked(app: &TestApp, id: i64, inbox: &str) -> i64 {
    let user_id: i64 =
        sqlx::query_scalar("SELECT user_id FROM campaigns WHERE id = ?").bind(id).fetch_one(&app.db).await.unwrap();
    let account_id = shared::repo::whatsapp_accounts::upsert(&app.db, user_id, &format!("98912{id:07}")).await.unwrap();
    shared::repo::whatsapp_accounts::attach_campaign(&app.db, id, account_id).await.unwrap();
    sqlx::query(
        "INSERT IGNORE INTO whatsapp_sessions (account_id, sender_id, inbox_url, expires_at) \
         VALUES (?, 'test-sender', ?, NOW(3) + INTERVAL 1 HOUR)",
    )
    .bind(account_id)
    .bind(inbox)
    .execute(&app.db)
    .await
    .unwrap();
    account_id
}
