//! Campaign figures on this machine, for a 100,000-row recipient list:
//! parse + normalize time (the .xlsx bytes to canonical, deduplicated
//! phones), end-to-end import time (a multipart POST through the real
//! router into a real MariaDB, response included), the import's peak
//! memory, and the report .xlsx for 100,000 recipients (workbook build
//! alone, and the whole GET including the database read).
//!
//! Run: `cargo bench -p functions --bench campaigns` with TEST_DATABASE_URL
//! pointing at a MySQL server (a scratch database is dropped afterwards).
//! Targets: import ≤ 3 s end to end, export ≤ 1.5 s, peak memory ≤ 300 MB.

use std::time::{Duration, Instant};

use axum::{body::Body, http::Request, Router};
use serde_json::{json, Value};
use tower::ServiceExt;

const ROWS: u32 = 100_000;

mod support;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // Keep the 100,000-row report in the response: this measures building it, not S3.
    support::with_scratch_app(&[("REPORT_INLINE_MAX_BYTES", (512 * 1024 * 1024).to_string())], run).await
}

async fn run(ctx: shared::AppContext) -> anyhow::Result<()> {
    let pool = ctx.db.clone();
    let app = functions::http::finish(functions::gateway::routes(&ctx));

    let workbook = recipients_workbook();
    println!("input: {ROWS} rows, {:.2} MB .xlsx", workbook.len() as f64 / 1e6);

    let token = sign_up(&app).await;
    let created =
        call(&app, "POST", "/api/campaigns", &token, json_body(&json!({"title": "bench", "message": "سلام"}))).await;
    let id = created["campaign"]["id"].as_i64().expect("campaign created");

    reset_peak_memory();
    let rss_before = memory_kb("VmRSS");
    let path = format!("/api/campaigns/{id}/recipients");
    let start = Instant::now();
    let imported = call(&app, "POST", &path, &token, multipart_body(&workbook)).await;
    let elapsed = start.elapsed();
    assert_eq!(imported["recipientsCount"], ROWS, "{imported}");
    report("import end to end", elapsed);
    let second = Instant::now();
    call(&app, "POST", &path, &token, multipart_body(&workbook)).await;
    report("import again (replaces)", second.elapsed());
    println!(
        "{:<28} {:>8.0} MB peak RSS of the process (resident before: {:.0} MB)",
        "import memory",
        memory_kb("VmHWM") as f64 / 1024.0,
        rss_before as f64 / 1024.0
    );

    let start = Instant::now();
    let list = shared::excel::read_recipients(&workbook)?;
    report("parse + normalize", start.elapsed());
    assert_eq!(list.recipients.len(), ROWS as usize);
    drop(list);

    // Give every recipient the dates a finished campaign has, so every
    // row of the report carries ISO and Jalali timestamps.
    sqlx::query(
        "UPDATE recipients SET status = IF(id % 2 = 0, 'DELIVERED', 'SENT'), sent_at = NOW(3), \
         delivered_at = IF(id % 2 = 0, NOW(3), NULL) WHERE campaign_id = ?",
    )
    .bind(id)
    .execute(&pool)
    .await?;
    let campaign = shared::repo::campaigns::find_owned(&pool, id, 1).await?.expect("the bench campaign");
    let recipients = shared::repo::recipients::all(&pool, id).await?;
    let figures = shared::campaigns::campaign_report(&ctx, 1, id).await?.figures;
    let start = Instant::now();
    let template = shared::campaigns::personal::template_of(&campaign);
    let texts: Vec<String> =
        recipients.iter().map(|r| shared::campaigns::personal::text_for(&campaign, template.as_ref(), r)).collect();
    let sheet =
        shared::excel::CampaignSheet { campaign: &campaign, figures: &figures, recipients: &recipients, texts: &texts };
    let bytes = shared::excel::report_workbook(&[sheet])?;
    report("report .xlsx build", start.elapsed());
    println!("{:<28} {:.2} MB", "report size", bytes.len() as f64 / 1e6);

    reset_peak_memory();
    let start = Instant::now();
    let response = raw_call(&app, "GET", &format!("/api/campaigns/{id}/report/download"), &token, Body::empty()).await;
    report("report download end to end", start.elapsed());
    assert!(response.len() > 1_000_000);
    println!("{:<28} {:>8.0} MB peak RSS of the process", "report memory", memory_kb("VmHWM") as f64 / 1024.0);
    Ok(())
}

fn recipients_workbook() -> Vec<u8> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    // Rows go straight to a temporary file, so building the input does not
    // inflate the process's resident size before the import is measured.
    let sheet = workbook.add_worksheet_with_constant_memory().unwrap();
    sheet.write_string(0, 0, "شماره تلفن").unwrap();
    sheet.write_string(0, 1, "نام").unwrap();
    for row in 1..=ROWS {
        // Alternate the spellings an import meets: text with a leading
        // zero, and numeric cells that lost it.
        let number = 9_120_000_000u64 + u64::from(row);
        if row % 2 == 0 {
            sheet.write_string(row, 0, format!("0{number}")).unwrap();
        } else {
            sheet.write_number(row, 0, number as f64).unwrap();
        }
        sheet.write_string(row, 1, format!("مشتری شماره {row}")).unwrap();
    }
    workbook.save_to_buffer().unwrap()
}

async fn sign_up(app: &Router) -> String {
    let account =
        json!({"name": "Bench", "email": "bench@example.com", "phone": "09120000000", "password": "bench-pass-1"});
    call(app, "POST", "/api/user/register-simple", "", json_body(&account)).await;
    let login = json!({"email": "bench@example.com", "password": "bench-pass-1"});
    let body = call(app, "POST", "/api/user/login", "", json_body(&login)).await;
    body["accessToken"].as_str().expect("login works").to_owned()
}

fn json_body(value: &Value) -> (String, Vec<u8>) {
    ("application/json".into(), value.to_string().into_bytes())
}

fn multipart_body(file: &[u8]) -> (String, Vec<u8>) {
    let boundary = "bench-boundary-7d1f";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"recipientsFile\"; filename=\"list.xlsx\"\r\n\
         Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn call(app: &Router, method: &str, path: &str, token: &str, (content_type, body): (String, Vec<u8>)) -> Value {
    let request = Request::builder()
        .method(method)
        .uri(path)
        .header("content-type", content_type)
        .header("authorization", format!("Bearer {token}"))
        .body(Body::from(body))
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

async fn raw_call(app: &Router, method: &str, path: &str, token: &str, body: Body) -> Vec<u8> {
    let request = Request::builder()
        .method(method)
        .uri(path)
        .header("authorization", format!("Bearer {token}"))
        .body(body)
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap().to_vec()
}

/// Linux: writing 5 to clear_refs resets VmHWM (the peak resident size).
fn reset_peak_memory() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn memory_kb(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| {
            line.strip_prefix(field)?.trim_start_matches(':').trim().strip_suffix("kB")?.trim().parse().ok()
        })
        .unwrap_or(0)
}

fn report(what: &str, elapsed: Duration) {
    println!("{what:<28} {:>8.0} ms", elapsed.as_secs_f64() * 1e3);
}
