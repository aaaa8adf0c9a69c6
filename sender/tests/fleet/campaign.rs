//! A whole campaign as a user runs it.

use std::{collections::HashMap, time::Duration};

use reqwest::Method;
use serde_json::{json, Value};

use wa_simulator::Markup;

use crate::stack::{events_until, eventually, next_event, Stack};

crate::on_every_markup!(a_campaign_from_sign_up_to_report, a_text_campaign_arrives_word_for_word);

pub const MESSAGE: &str = "سلام {name}! تخفیف ویژه امروز 🎉";

/// `count` recipients as an .xlsx with Persian headers; the phones
/// (canonical) in order.
pub fn recipients_xlsx(count: usize) -> (Vec<u8>, Vec<String>) {
    recipients_xlsx_from(0, count)
}

/// `count` recipients numbered from `first` (so campaigns can have phones
/// of their own).
pub fn recipients_xlsx_from(first: usize, count: usize) -> (Vec<u8>, Vec<String>) {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.write(0, 0, "شماره تلفن").unwrap();
    sheet.write(0, 1, "نام").unwrap();
    let mut phones = Vec::new();
    for i in 0..count {
        let local = format!("0912{:07}", 3_000_000 + first + i);
        sheet.write(i as u32 + 1, 0, local.as_str()).unwrap();
        sheet.write(i as u32 + 1, 1, format!("گیرنده {i}").as_str()).unwrap();
        phones.push(format!("98{}", &local[1..]));
    }
    (workbook.save_to_buffer().unwrap(), phones)
}

/// Create a campaign with an image attachment and `count` recipients;
/// returns its id and the phones.
pub async fn campaign_with_recipients(stack: &Stack, token: &str, count: usize) -> (i64, Vec<String>) {
    campaign_with(stack, token, count, true).await
}

/// Create a campaign (with an image attachment, or text only) and `count`
/// recipients; returns its id and the phones.
pub async fn campaign_with(stack: &Stack, token: &str, count: usize, attachment: bool) -> (i64, Vec<String>) {
    campaign_numbered(stack, token, MESSAGE, (0, count), attachment).await
}

/// A campaign of `message` to the recipients numbered `first..first + count`.
pub async fn campaign_numbered(
    stack: &Stack,
    token: &str,
    message: &str,
    (first, count): (usize, usize),
    attachment: bool,
) -> (i64, Vec<String>) {
    let (status, created) = stack
        .call(
            Method::POST,
            "/api/campaigns",
            token,
            Some(json!({"title": "کمپین پاییز", "message": message, "interval": "FIVE_SECONDS"})),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let id = created["campaign"]["id"].as_i64().unwrap();

    if attachment {
        let image = shared::qr::render_png("an attachment").unwrap();
        let part = reqwest::multipart::Part::bytes(image).file_name("پوستر.png").mime_str("image/png").unwrap();
        let upload = stack
            .http
            .post(stack.url(&format!("/api/campaigns/{id}/attachment")))
            .bearer_auth(token)
            .multipart(reqwest::multipart::Form::new().part("attachment", part))
            .send()
            .await
            .unwrap();
        assert!(upload.status().is_success(), "{}", upload.text().await.unwrap());
    }

    let (xlsx, phones) = recipients_xlsx_from(first, count);
    let part = reqwest::multipart::Part::bytes(xlsx).file_name("list.xlsx");
    let import = stack
        .http
        .post(stack.url(&format!("/api/campaigns/{id}/recipients")))
        .bearer_auth(token)
        .multipart(reqwest::multipart::Form::new().part("recipientsFile", part))
        .send()
        .await
        .unwrap();
    let imported: Value = import.json().await.unwrap();
    assert_eq!(imported["recipientsCount"], count, "{imported}");
    (id, phones)
}

/// Ask for the QR, scan it in the simulator, wait for `ready` — unless the
/// user's number is linked already (linked once, it serves every campaign).
pub async fn connect_whatsapp(stack: &Stack, token: &str, id: i64, socket: &mut crate::stack::Socket) {
    let (status, answer) = stack.call(Method::POST, &format!("/api/campaigns/{id}/qr-code"), token, None).await;
    assert_eq!(status, 200, "{answer}");
    if answer["isConnected"] == true {
        assert!(answer["qrCode"].is_null(), "{answer}");
        return;
    }
    let raw = answer["qrCode"]["raw"].as_str().expect("a QR to scan").to_owned();
    assert!(answer["qrCode"]["image"].as_str().unwrap().starts_with("data:image/png;base64,"));
    let qr_event = events_until(socket, "qr_code", Duration::from_secs(20)).await;
    assert_eq!(qr_event.last().unwrap()["data"]["qrCode"]["raw"], raw);
    stack.simulator.control().scan(&raw, None).await.expect("the QR scans");
    let ready = events_until(socket, "status_update", Duration::from_secs(30)).await;
    assert_eq!(ready.last().unwrap()["data"]["status"], "ready");
    let (_, connection) = stack.call(Method::GET, &format!("/api/campaigns/{id}/connection"), token, None).await;
    assert_eq!(connection["isConnected"], true, "{connection}");
}

/// How many messages the campaign has sent (`None` while the database is away).
pub async fn sent_count(stack: &Stack, id: i64) -> Option<i32> {
    sqlx::query_scalar("SELECT sent_count FROM campaigns WHERE id = ?").bind(id).fetch_one(&stack.db).await.ok()
}

/// Link WhatsApp (see `connect_whatsapp`), start the campaign and wait for
/// its first `sent` messages.
pub async fn start_and_wait_for(stack: &Stack, token: &str, id: i64, socket: &mut crate::stack::Socket, sent: i32) {
    connect_whatsapp(stack, token, id, socket).await;
    let (status, started) = stack.call(Method::POST, &format!("/api/campaigns/{id}/start"), token, None).await;
    assert_eq!(status, 200, "{started}");
    eventually(&format!("{sent} messages out"), Duration::from_secs(60), || async {
        (sent_count(stack, id).await? >= sent).then_some(())
    })
    .await;
}

/// Every recipient of the campaign was messaged exactly once (SENT,
/// DELIVERED) or carries an explicit outcome that may hide at most one
/// message (`unsure`: UNKNOWN, and FAILED where a fault hit mid-send) —
/// never twice, never left behind.
pub async fn nobody_twice(stack: &Stack, id: i64, phones: &[String], unsure: &[&str]) {
    let counts = received_counts(stack).await;
    let rows: Vec<(String, String)> = sqlx::query_as("SELECT phone, status FROM recipients WHERE campaign_id = ?")
        .bind(id)
        .fetch_all(&stack.db)
        .await
        .unwrap();
    assert_eq!(rows.len(), phones.len());
    for (phone, status) in rows {
        let received = counts.get(&phone).copied().unwrap_or(0);
        match status.as_str() {
            "SENT" | "DELIVERED" => assert_eq!(received, 1, "{phone} {status}"),
            unclear if unsure.contains(&unclear) => assert!(received <= 1, "{phone} {status} received {received}"),
            other => panic!("{phone} left {other}"),
        }
    }
}

/// How many messages each phone received.
pub async fn received_counts(stack: &Stack) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for message in stack.simulator.control().messages(None).await.unwrap() {
        *counts.entry(message.to.clone()).or_insert(0) += 1;
    }
    counts
}

async fn a_campaign_from_sign_up_to_report(markup: Markup) {
    let mut stack = Stack::with_markup(markup).await;
    stack.spawn_sender("solo");
    let token = stack.customer_with_package().await;
    let (id, phones) = campaign_with_recipients(&stack, &token, 20).await;
    let offline = [&phones[3], &phones[11]];
    for phone in offline {
        stack.simulator.control().not_on_whatsapp(phone).await.unwrap();
    }
    let mut socket = stack.websocket(id, &token).await;
    connect_whatsapp(&stack, &token, id, &mut socket).await;

    let (status, started) = stack.call(Method::POST, &format!("/api/campaigns/{id}/start"), &token, None).await;
    assert_eq!(status, 200, "{started}");
    let events = events_until(&mut socket, "completion_update", Duration::from_secs(120)).await;
    let progress: Vec<&Value> = events.iter().filter(|e| e["type"] == "progress_update").collect();
    assert!(progress.len() >= 20, "a progress event per recipient, saw {}", progress.len());
    let report = &events.last().unwrap()["data"]["report"];
    assert_eq!(
        (report["totalRecipients"].as_i64(), report["sentCount"].as_i64(), report["failedCount"].as_i64()),
        (Some(20), Some(18), Some(2))
    );

    // Exactly 18 messages, one per reachable phone, each the attachment
    // with the text as its caption.
    let messages = stack.simulator.control().messages(None).await.unwrap();
    assert_eq!(messages.len(), 18);
    let counts = received_counts(&stack).await;
    for phone in &phones {
        let expected = usize::from(!offline.contains(&phone));
        assert_eq!(counts.get(phone).copied().unwrap_or(0), expected, "{phone}");
    }
    for message in &messages {
        assert_eq!(message.caption.as_deref(), Some(MESSAGE));
        let attachment = message.attachment.as_ref().expect("the attachment");
        assert_eq!(attachment.name, "پوستر.png");
        assert_eq!(attachment.mime, "image/png");
    }

    let (_, campaign) = stack.call(Method::GET, &format!("/api/campaigns/{id}"), &token, None).await;
    assert_eq!(campaign["campaign"]["status"], "COMPLETED", "{campaign}");
    // Delivery ticks arrive after a short delay; some are seen.
    let delivered = eventually("delivery ticks", Duration::from_secs(5), || async {
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM recipients WHERE status = 'DELIVERED'")
            .fetch_one(&stack.db)
            .await
            .ok()?;
        (count > 0).then_some(count)
    })
    .await;
    assert!(delivered <= 18);

    // The report workbook agrees.
    let download = stack
        .http
        .get(stack.url(&format!("/api/campaigns/{id}/report/download")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(download.status(), 200);
    let bytes = download.bytes().await.unwrap().to_vec();
    let statuses = report_statuses(bytes);
    assert_eq!(statuses.len(), 20, "{statuses:?}");
    for phone in &phones {
        let status = statuses.get(phone).unwrap_or_else(|| panic!("{phone} missing from the report"));
        if offline.contains(&phone) {
            assert_eq!(status, "FAILED");
        } else {
            assert!(status == "SENT" || status == "DELIVERED", "{phone}: {status}");
        }
    }
    assert!(next_event(&mut socket, Duration::from_millis(200)).await.is_none_or(|e| e["type"] != "progress_update"));
}

async fn a_text_campaign_arrives_word_for_word(markup: Markup) {
    let mut stack = Stack::with_markup(markup).await;
    stack.spawn_sender("solo");
    let token = stack.customer_with_package().await;
    let (id, phones) = campaign_with(&stack, &token, 4, false).await;
    let mut socket = stack.websocket(id, &token).await;
    connect_whatsapp(&stack, &token, id, &mut socket).await;
    let (status, started) = stack.call(Method::POST, &format!("/api/campaigns/{id}/start"), &token, None).await;
    assert_eq!(status, 200, "{started}");
    let events = events_until(&mut socket, "completion_update", Duration::from_secs(120)).await;
    assert_eq!(events.last().unwrap()["data"]["report"]["sentCount"].as_i64(), Some(4));

    let messages = stack.simulator.control().messages(None).await.unwrap();
    let mut to: Vec<&str> = messages.iter().map(|m| m.to.as_str()).collect();
    to.sort();
    assert_eq!(to, phones.iter().map(String::as_str).collect::<Vec<_>>(), "each phone once");
    assert!(messages.iter().all(|m| m.text.as_deref() == Some(MESSAGE) && m.attachment.is_none()));
    // The ticks turn double while the sender watches them.
    eventually("delivery ticks", Duration::from_secs(10), || async {
        let count: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM recipients WHERE campaign_id = ? AND status = 'DELIVERED'")
                .bind(id)
                .fetch_one(&stack.db)
                .await
                .ok()?;
        (count > 0).then_some(())
    })
    .await;
}

/// Phone → status from the per-recipient sheet of a report workbook.
pub fn report_statuses(xlsx: Vec<u8>) -> HashMap<String, String> {
    use calamine::Reader;
    let mut workbook = calamine::Xlsx::new(std::io::Cursor::new(xlsx)).unwrap();
    let mut statuses = HashMap::new();
    for name in workbook.sheet_names() {
        let range = workbook.worksheet_range(&name).unwrap();
        let mut rows = range.rows();
        let Some(header) = rows.next() else { continue };
        let header: Vec<String> = header.iter().map(|c| c.to_string().to_lowercase()).collect();
        let (Some(phone_col), Some(status_col)) = (
            header.iter().position(|h| h.contains("phone") || h.contains("تلفن")),
            header.iter().position(|h| h.contains("status") || h.contains("وضعیت")),
        ) else {
            continue;
        };
        for row in rows {
            statuses.insert(row[phone_col].to_string(), row[status_col].to_string());
        }
    }
    statuses
}
