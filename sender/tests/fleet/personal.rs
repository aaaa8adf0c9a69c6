//! Personal messages end to end: each recipient's own text (placeholders
//! from the list's columns, spintax) stable across a kill -9 takeover; a
//! reply that says «لغو» ends the number's messages for good; read ticks
//! reach the report.

use std::{
    collections::{HashMap, HashSet},
    time::Duration,
};

use reqwest::Method;
use serde_json::{json, Value};
use shared::repo::session_leases;
use wa_simulator::{DeliveryStatus, Markup};

use crate::{
    campaign::{connect_whatsapp, received_counts},
    stack::{events_until, eventually, Stack},
};

crate::on_every_markup!(a_reply_saying_stop_ends_that_numbers_messages_for_good, read_ticks_reach_the_report);

const TEMPLATE: &str =
    "{سلام|درود|وقت بخیر} {{name|مشتری گرامی}} از {{شهر}}، {{پیشنهاد|تخفیف} ویژه|فرصت {خوب|عالی}} امروز";
const CITIES: [&str; 3] = ["تهران", "شیراز", "تبریز"];

/// `count` recipients under a title row, Persian headers, a `شهر` column
/// and phones stored as numbers (the leading zero lost); the phones.
fn personal_xlsx(count: usize) -> (Vec<u8>, Vec<String>) {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.write(0, 0, "فهرست مشتریان پاییز").unwrap();
    for (column, header) in ["ردیف", "نام", "شهر", "موبایل"].iter().enumerate() {
        sheet.write(2, column as u16, *header).unwrap();
    }
    let mut phones = Vec::new();
    for i in 0..count {
        let row = i as u32 + 3;
        let national = 9_124_000_000u64 + i as u64;
        sheet.write(row, 0, (i + 1) as f64).unwrap();
        if i % 5 != 0 {
            sheet.write(row, 1, format!("گیرنده {i}").as_str()).unwrap();
        }
        sheet.write(row, 2, CITIES[i % 3]).unwrap();
        sheet.write(row, 3, national as f64).unwrap();
        phones.push(format!("98{national}"));
    }
    (workbook.save_to_buffer().unwrap(), phones)
}

async fn create(stack: &Stack, token: &str, message: &str) -> i64 {
    let body = json!({"title": "شخصی", "message": message, "interval": "FIVE_SECONDS"});
    let (status, created) = stack.call(Method::POST, "/api/campaigns", token, Some(body)).await;
    assert_eq!(status, 201, "{created}");
    created["campaign"]["id"].as_i64().unwrap()
}

async fn import(stack: &Stack, token: &str, id: i64, xlsx: Vec<u8>) -> Value {
    let part = reqwest::multipart::Part::bytes(xlsx).file_name("list.xlsx");
    let response = stack
        .http
        .post(stack.url(&format!("/api/campaigns/{id}/recipients")))
        .bearer_auth(token)
        .multipart(reqwest::multipart::Form::new().part("recipientsFile", part))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

/// Phone → the text the API says the recipient gets.
async fn listed_texts(stack: &Stack, token: &str, id: i64) -> HashMap<String, String> {
    let mut texts = HashMap::new();
    for page in 1..=10 {
        let path = format!("/api/campaigns/{id}/recipients?limit=100&page={page}");
        let (status, body) = stack.call(Method::GET, &path, token, None).await;
        assert_eq!(status, 200, "{body}");
        let list = body["recipients"].as_array().unwrap();
        if list.is_empty() {
            break;
        }
        for r in list {
            texts.insert(r["phone"].as_str().unwrap().to_owned(), r["text"].as_str().unwrap().to_owned());
        }
    }
    texts
}

#[tokio::test]
async fn each_recipient_gets_their_own_text_and_keeps_it_across_a_takeover() {
    let mut stack = Stack::start().await;
    // 30 messages from a just-linked number: past the first warm-up day's 20.
    stack.set_sender_env("GOVERNOR_WARM_UP_RAMP", "none");
    let first = stack.spawn_sender("a");
    let second = stack.spawn_sender("b");
    let token = stack.customer_with_package().await;
    let id = create(&stack, &token, TEMPLATE).await;
    let (xlsx, phones) = personal_xlsx(30);
    let imported = import(&stack, &token, id, xlsx).await;
    assert_eq!(imported["recipientsCount"], 30, "{imported}");
    assert_eq!(imported["layout"]["headerRow"], 3, "{imported}");
    assert_eq!(imported["layout"]["phoneColumn"], "D", "{imported}");
    assert_eq!(imported["unresolvedPlaceholders"], json!([]), "{imported}");

    let (_, preview) = stack.call(Method::GET, &format!("/api/campaigns/{id}/preview"), &token, None).await;
    assert_eq!(preview["preview"]["variants"], 12, "{preview}");
    assert_eq!(preview["preview"]["samples"].as_array().unwrap().len(), 5, "{preview}");
    let promised = listed_texts(&stack, &token, id).await;
    assert_eq!(promised.len(), 30);
    for (i, phone) in phones.iter().enumerate() {
        let text = &promised[phone];
        assert!(text.contains(CITIES[i % 3]), "{text}");
        let name = if i % 5 == 0 { "مشتری گرامی".to_owned() } else { format!("گیرنده {i} ") };
        assert!(text.contains(&name), "{text}");
        assert!(!text.contains('{') && !text.contains('}'), "{text}");
    }

    let mut socket = stack.websocket(id, &token).await;
    connect_whatsapp(&stack, &token, id, &mut socket).await;
    let owner = session_leases::campaign_owner(&stack.db, id).await.unwrap().expect("an owner").sender_id;
    let survivor = if owner == first { second.clone() } else { first.clone() };
    let (status, started) = stack.call(Method::POST, &format!("/api/campaigns/{id}/start"), &token, None).await;
    assert_eq!(status, 200, "{started}");
    eventually("ten messages out", Duration::from_secs(90), || async {
        let sent: i32 = sqlx::query_scalar("SELECT sent_count FROM campaigns WHERE id = ?")
            .bind(id)
            .fetch_one(&stack.db)
            .await
            .ok()?;
        (sent >= 10).then_some(())
    })
    .await;
    stack.kill_sender(&owner);
    events_until(&mut socket, "completion_update", Duration::from_secs(180)).await;
    assert!(stack.sender_alive(&survivor));

    // Every text that arrived is exactly the one promised before the start,
    // whichever sender rendered it, and nobody got two.
    let messages = stack.simulator.control().messages(None).await.unwrap();
    assert!(messages.len() >= 28, "{} messages", messages.len());
    assert!(received_counts(&stack).await.values().all(|n| *n == 1));
    let devices: HashSet<&str> = messages.iter().map(|m| m.device.as_str()).collect();
    assert_eq!(devices.len(), 1, "the takeover reused the linked device");
    for message in &messages {
        assert_eq!(message.text.as_deref(), Some(promised[&message.to].as_str()), "{}", message.to);
    }
    let variants: HashSet<&str> = messages.iter().filter_map(|m| m.text.as_deref()).collect();
    assert!(variants.len() >= 3, "{variants:?}");
    // And the list still says the same after the campaign.
    assert_eq!(listed_texts(&stack, &token, id).await, promised);
}

async fn a_reply_saying_stop_ends_that_numbers_messages_for_good(markup: Markup) {
    let mut stack = Stack::with_markup(markup).await;
    stack.spawn_sender("solo");
    let token = stack.customer_with_package().await;
    let id = create(&stack, &token, "سلام {{name}}").await;
    let (xlsx, phones) = personal_xlsx(8);
    import(&stack, &token, id, xlsx.clone()).await;
    let mut socket = stack.websocket(id, &token).await;
    connect_whatsapp(&stack, &token, id, &mut socket).await;
    let (status, started) = stack.call(Method::POST, &format!("/api/campaigns/{id}/start"), &token, None).await;
    assert_eq!(status, 200, "{started}");

    let quitter = &phones[1];
    let listed_later = &phones[7];
    eventually("the second recipient's message", Duration::from_secs(60), || async {
        let got = stack.simulator.control().messages(Some(quitter)).await.ok()?;
        (!got.is_empty()).then_some(())
    })
    .await;
    stack.simulator.control().reply(quitter, "لغو").await.unwrap();
    // A number the owner lists while the campaign runs is not messaged either.
    let (status, added) = stack
        .call(Method::POST, "/api/suppressions", &token, Some(json!({"phones": [listed_later], "reason": "by phone"})))
        .await;
    assert_eq!((status, &added["added"]), (200, &json!(1)), "{added}");

    let events = events_until(&mut socket, "completion_update", Duration::from_secs(120)).await;
    let reply = events.iter().find(|e| e["type"] == "reply_update").expect("a reply_update");
    assert_eq!(reply["data"]["phone"], quitter.as_str());
    assert_eq!(reply["data"]["text"], "لغو");
    assert_eq!(reply["data"]["optedOut"], true);
    let counts = received_counts(&stack).await;
    assert_eq!(counts.get(quitter), Some(&1));
    assert_eq!(counts.get(listed_later), None, "listed mid-campaign, never messaged");

    let (_, report) = stack.call(Method::GET, &format!("/api/campaigns/{id}/report"), &token, None).await;
    assert_eq!(report["report"]["repliedCount"], 1, "{report}");
    assert_eq!(report["report"]["optedOutCount"], 1, "{report}");
    let (_, list) = stack.call(Method::GET, &format!("/api/suppressions?search={quitter}"), &token, None).await;
    assert_eq!(list["suppressions"][0]["phone"], quitter.as_str(), "{list}");
    assert_eq!(list["suppressions"][0]["reason"], "replied with an opt-out keyword", "{list}");

    // A later campaign to the same list leaves both numbers out.
    let next = create(&stack, &token, "دوباره سلام").await;
    let imported = import(&stack, &token, next, xlsx).await;
    assert_eq!(imported["recipientsCount"], 6, "{imported}");
    assert_eq!(imported["optedOut"], 2, "{imported}");
    let skipped: Vec<&str> =
        imported["skippedRows"].as_array().unwrap().iter().map(|r| r["reason"].as_str().unwrap()).collect();
    assert_eq!(skipped, ["opted out", "opted out"], "{imported}");
}

async fn read_ticks_reach_the_report(markup: Markup) {
    let mut stack = Stack::with_markup(markup).await;
    // A pause long enough to watch each message past its delivery.
    stack.set_sender_env("SEND_INTERVAL_OVERRIDE_MS", "3000");
    stack.spawn_sender("solo");
    let token = stack.customer_with_package().await;
    let id = create(&stack, &token, "{سلام|درود} {{name|دوست}}").await;
    let (xlsx, phones) = personal_xlsx(3);
    import(&stack, &token, id, xlsx).await;
    let mut socket = stack.websocket(id, &token).await;
    connect_whatsapp(&stack, &token, id, &mut socket).await;
    let (status, _) = stack.call(Method::POST, &format!("/api/campaigns/{id}/start"), &token, None).await;
    assert_eq!(status, 200);
    // Each recipient opens the message as soon as it arrives.
    for phone in &phones {
        eventually("the message", Duration::from_secs(60), || async {
            let got = stack.simulator.control().messages(Some(phone)).await.ok()?;
            (!got.is_empty()).then_some(())
        })
        .await;
        stack.simulator.control().receipts(phone, DeliveryStatus::Read).await.unwrap();
    }
    events_until(&mut socket, "completion_update", Duration::from_secs(60)).await;
    let (_, report) = stack.call(Method::GET, &format!("/api/campaigns/{id}/report"), &token, None).await;
    assert_eq!(report["report"]["readCount"], 3, "{report}");
    assert_eq!(report["report"]["deliveredCount"], 3, "{report}");
    let (_, list) = stack.call(Method::GET, &format!("/api/campaigns/{id}/recipients"), &token, None).await;
    for recipient in list["recipients"].as_array().unwrap() {
        assert_eq!(recipient["status"], "DELIVERED", "{recipient}");
        assert!(recipient["readAt"].is_string(), "{recipient}");
    }
}
