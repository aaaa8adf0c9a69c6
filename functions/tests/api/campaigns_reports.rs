use reqwest::StatusCode;
use serde_json::json;

use crate::{
    campaign_helpers::{create_campaign, import, read_workbook, user, xlsx, Cell, User},
    helpers::{expect_error, expect_status, TestApp},
};

/// A campaign with five recipients in every stored status, as the sender
/// would leave them.
async fn sent_campaign(app: &TestApp, user: &User) -> i64 {
    let id = create_campaign(app, user, "گزارش نوروز").await;
    let file = xlsx(&[
        vec![Cell::Text("phone"), Cell::Text("name")],
        vec![Cell::Text("09120000001"), Cell::Text("علی")],
        vec![Cell::Text("09120000002"), Cell::Text("مریم")],
        vec![Cell::Text("09120000003"), Cell::Text("Sara")],
        vec![Cell::Text("09120000004"), Cell::Blank],
        vec![Cell::Text("09120000005"), Cell::Text("رضا")],
        vec![Cell::Text("09120000006"), Cell::Text("نگار")],
    ]);
    expect_status(import(app, user, id, "r.xlsx", file).await, StatusCode::OK).await;
    for (phone, status, sent, delivered, error) in [
        ("989120000001", "DELIVERED", Some("2024-03-19 21:00:00"), Some("2024-03-19 21:00:10"), None),
        ("989120000002", "DELIVERED", Some("2024-03-19 21:00:20"), Some("2024-03-19 21:00:50"), None),
        ("989120000003", "SENT", Some("2024-03-19 21:00:40"), None, None),
        ("989120000004", "FAILED", None, None, Some("شماره در واتس‌اپ نیست")),
        ("989120000005", "UNKNOWN", None, None, None),
        ("989120000006", "SENDING", None, None, None),
    ] {
        sqlx::query("UPDATE recipients SET status = ?, sent_at = ?, delivered_at = ?, error = ? WHERE phone = ? AND campaign_id = ?")
            .bind(status)
            .bind(sent)
            .bind(delivered)
            .bind(error)
            .bind(phone)
            .bind(id)
            .execute(&app.db)
            .await
            .unwrap();
    }
    sqlx::query("UPDATE campaigns SET status = 'RUNNING', started_at = '2024-03-19 20:59:00' WHERE id = ?")
        .bind(id)
        .execute(&app.db)
        .await
        .unwrap();
    id
}

#[tokio::test]
async fn report_figures_come_from_the_recipients() {
    let app = TestApp::spawn().await;
    let user = user(&app).await;
    let id = sent_campaign(&app, &user).await;
    let body =
        expect_status(app.get_auth(&format!("/api/campaigns/{id}/report"), &user.token).await, StatusCode::OK).await;
    let report = &body["report"];
    assert_eq!(report["totalRecipients"], 6);
    assert_eq!(report["sentCount"], 3);
    assert_eq!(report["deliveredCount"], 2);
    assert_eq!(report["failedCount"], 2);
    assert_eq!(report["pendingCount"], 1);
    assert_eq!(report["deliveryRate"], 50.0);
    assert_eq!(report["averageDeliveryTime"], 20.0);
    assert_eq!(report["statusCounts"], json!({"PENDING": 1, "SENT": 1, "FAILED": 2, "DELIVERED": 2}));
    assert!(report["startedAt"].as_str().unwrap().starts_with("2024-03-19T20:59:00"));
    assert_eq!(report["completedAt"], serde_json::Value::Null);
}

#[tokio::test]
async fn recipients_list_sorts_filters_and_pages() {
    let app = TestApp::spawn().await;
    let user = user(&app).await;
    let id = sent_campaign(&app, &user).await;
    let list = |query: &str| {
        let path = format!("/api/campaigns/{id}/recipients?{query}");
        let token = user.token.clone();
        let app = &app;
        async move { app.get_auth(&path, &token).await }
    };

    let page = expect_status(list("limit=4").await, StatusCode::OK).await;
    assert_eq!(page["pagination"], json!({"page": 1, "limit": 4, "total": 6, "totalPages": 2}));
    assert_eq!(page["recipients"][0]["phone"], "989120000001");
    assert_eq!(page["recipients"][0]["name"], "علی");
    assert_eq!(page["recipients"][0]["status"], "DELIVERED");

    let failed = expect_status(list("status=FAILED&sortBy=phone&sortOrder=desc").await, StatusCode::OK).await;
    let phones: Vec<&str> =
        failed["recipients"].as_array().unwrap().iter().map(|r| r["phone"].as_str().unwrap()).collect();
    assert_eq!(phones, ["989120000005", "989120000004"], "UNKNOWN shows as FAILED");
    assert!(failed["recipients"][0]["error"].as_str().unwrap().contains("unknown"));
    assert_eq!(failed["recipients"][1]["error"], "شماره در واتس‌اپ نیست");

    let pending = expect_status(list("status=PENDING").await, StatusCode::OK).await;
    assert_eq!(pending["recipients"][0]["phone"], "989120000006", "SENDING shows as PENDING");
    assert_eq!(pending["recipients"][0]["status"], "PENDING");

    let by_sent = expect_status(list("sortBy=sentAt&sortOrder=desc&limit=1").await, StatusCode::OK).await;
    assert_eq!(by_sent["recipients"][0]["phone"], "989120000003");
    let second = expect_status(list("sortBy=name&page=2&limit=5").await, StatusCode::OK).await;
    assert_eq!(second["recipients"].as_array().unwrap().len(), 1);

    for (query, field) in [
        ("sortBy=password", "sortBy"),
        ("sortBy=phone;DROP TABLE recipients", "sortBy"),
        ("sortOrder=up", "sortOrder"),
        ("status=SENDING", "status"),
        ("limit=1000", "limit"),
    ] {
        let error = expect_error(list(query).await, StatusCode::BAD_REQUEST, "VALIDATION_ERROR").await;
        assert_eq!(error["errors"][0]["field"], field, "{query}");
    }
    assert_eq!(app.count("recipients").await, 6);
}

#[tokio::test]
async fn preview_shows_what_will_be_sent() {
    let app = TestApp::spawn().await;
    let user = user(&app).await;
    let id = create_campaign(&app, &user, "preview").await;
    let rows: Vec<Vec<Cell>> = std::iter::once(vec![Cell::Text("phone")])
        .chain((0..7).map(|n| vec![Cell::Number(9120000000.0 + f64::from(n))]))
        .collect();
    expect_status(import(&app, &user, id, "r.xlsx", xlsx(&rows)).await, StatusCode::OK).await;
    let body =
        expect_status(app.get_auth(&format!("/api/campaigns/{id}/preview"), &user.token).await, StatusCode::OK).await;
    let preview = &body["preview"];
    assert_eq!(preview["message"], "سلام {name}، تخفیف نوروزی!");
    assert_eq!(preview["recipientCount"], 7);
    assert_eq!(preview["sampleRecipients"].as_array().unwrap().len(), 5);
    assert_eq!(preview["attachment"], serde_json::Value::Null);
    // Seven messages at a 10 s interval, plus typing and the pauses' spread,
    // from the next sending hour on: at least 70 s, and a time to show.
    let seconds = preview["estimatedDuration"]["seconds"].as_u64().unwrap();
    assert!(seconds >= 70, "{seconds} s");
    assert!(!preview["estimatedDuration"]["text"].as_str().unwrap().is_empty());
    assert!(preview["estimatedFinishAt"].is_string(), "{preview}");
}

#[tokio::test]
async fn report_workbook_reads_back_with_persian_and_jalali_dates() {
    let app = TestApp::spawn().await;
    let user = user(&app).await;
    let id = sent_campaign(&app, &user).await;
    let response = app.get_auth(&format!("/api/campaigns/{id}/report/download"), &user.token).await;
    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers().clone();
    assert_eq!(headers["content-type"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    assert!(headers["content-disposition"].to_str().unwrap().contains(&format!("campaign-{id}-report.xlsx")));
    let sheets = read_workbook(&response.bytes().await.unwrap());
    assert_eq!(sheets.iter().map(|(name, _)| name.as_str()).collect::<Vec<_>>(), ["Summary", "Recipients"]);

    let summary = &sheets[0].1;
    assert!(summary[0][1].contains("عنوان"));
    assert_eq!(summary[1][0], id.to_string());
    assert_eq!(summary[1][1], "گزارش نوروز");
    assert_eq!(summary[1][2], "RUNNING");
    assert_eq!(&summary[1][4..10], ["6", "3", "2", "2", "1", "50"]);
    // Started 2024-03-19 20:59 UTC = 00:29 on 1 Farvardin 1403 in Tehran.
    assert_eq!(summary[1][11], "2024-03-20T00:29:00+03:30");
    assert_eq!(summary[1][12], "1403/01/01 00:29:00");
    assert_eq!(summary[1][17], "Asia/Tehran");

    let recipients = &sheets[1].1;
    assert!(recipients[0][1].starts_with("Phone") && recipients[0][1].contains("شماره تلفن"));
    assert_eq!(recipients.len(), 7);
    assert_eq!(
        recipients[1][1..6],
        ["989120000001", "علی", "DELIVERED", "2024-03-20T00:30:00+03:30", "1403/01/01 00:30:00"]
    );
    assert_eq!(recipients[4][3], "FAILED");
    assert_eq!(recipients[4][8], "شماره در واتس‌اپ نیست");
    assert_eq!(recipients[5][3], "FAILED", "UNKNOWN");
    assert_eq!(recipients[6][3], "PENDING", "SENDING");
}

#[tokio::test]
async fn several_campaigns_in_one_workbook_own_only() {
    let app = TestApp::spawn().await;
    let user = user(&app).await;
    let stranger = crate::campaign_helpers::user(&app).await;
    let first = sent_campaign(&app, &user).await;
    let second = create_campaign(&app, &user, "خالی").await;
    let foreign = create_campaign(&app, &stranger, "foreign").await;

    let path = "/api/campaigns/reports/download-multiple";
    let response = app.post_auth(path, &user.token, &json!({"campaignIds": [second, first, first]})).await;
    assert_eq!(response.status(), StatusCode::OK);
    let sheets = read_workbook(&response.bytes().await.unwrap());
    let names: Vec<&str> = sheets.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(names, ["Summary".to_owned(), format!("Recipients #{first}"), format!("Recipients #{second}")]);
    assert_eq!(sheets[0].1.len(), 3);
    assert_eq!(sheets[0].1[2][1], "خالی");
    assert_eq!(sheets[1].1.len(), 7);
    assert_eq!(sheets[2].1.len(), 1);

    let response = app.post_auth(path, &user.token, &json!({"campaignIds": [first, foreign]})).await;
    expect_error(response, StatusCode::NOT_FOUND, "NOT_FOUND").await;
    for body in [json!({"campaignIds": []}), json!({"campaignIds": "1"}), json!({"campaignIds": ["a"]}), json!({})] {
        let response = app.post_auth(path, &user.token, &body).await;
        let error = expect_error(response, StatusCode::BAD_REQUEST, "VALIDATION_ERROR").await;
        assert!(error["errors"][0]["field"].as_str().unwrap().starts_with("campaignIds"), "{body}: {error}");
    }
}

#[tokio::test]
async fn large_workbooks_are_handed_out_through_s3() {
    let app = TestApp::spawn_with(&[("REPORT_INLINE_MAX_BYTES", "1000")]).await;
    let user = user(&app).await;
    let id = sent_campaign(&app, &user).await;
    let response = app.get_auth(&format!("/api/campaigns/{id}/report/download"), &user.token).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.contains(&format!("staging/{}/reports/", user.id)), "{location}");
    let file = app.client.get(&location).send().await.unwrap();
    assert!(file.status().is_success());
    let sheets = read_workbook(&file.bytes().await.unwrap());
    assert_eq!(sheets[1].1.len(), 7);
}

#[tokio::test]
async fn the_template_is_public_and_prefers_the_admin_upload() {
    let app = TestApp::spawn().await;
    let response = app.client.get(app.url("/api/campaigns/excel-template/download")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers()["content-disposition"].to_str().unwrap().contains("recipients-template.xlsx"));
    let sheets = read_workbook(&response.bytes().await.unwrap());
    assert_eq!(sheets[0].1[0], ["phone / شماره تلفن", "name / نام"]);
    assert!(sheets[1].1.iter().flatten().any(|cell| cell.contains("راهنما")));

    let custom = xlsx(&[vec![Cell::Text("شماره تلفن"), Cell::Text("نام")]]);
    let xlsx_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    app.ctx.storage.put(shared::storage::RECIPIENTS_TEMPLATE_KEY, custom.clone(), xlsx_type).await.unwrap();
    let response = app.client.get(app.url("/api/campaigns/excel-template/download")).send().await.unwrap();
    assert_eq!(response.headers()["content-type"], xlsx_type);
    assert_eq!(response.bytes().await.unwrap().to_vec(), custom);
}
