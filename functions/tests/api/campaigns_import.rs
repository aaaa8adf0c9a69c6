use reqwest::StatusCode;
use serde_json::Value;

use crate::{
    campaign_helpers::{campaign_status, create_campaign, fixture, import, phones, set_status, user, xlsx, Cell, User},
    helpers::{expect_error, expect_status, TestApp},
};

/// Expected from the committed fixtures (see tests/fixtures/make_fixtures.py).
fn check_fixture_outcome(body: &Value) {
    assert_eq!(body["success"], true, "{body}");
    assert_eq!(body["recipientsCount"], 4, "{body}");
    assert_eq!(body["skipped"], 2, "{body}");
    assert_eq!(body["duplicates"], 1, "{body}");
    assert_eq!(body["totalRows"], 7, "{body}");
    let skipped: Vec<u64> =
        body["skippedRows"].as_array().unwrap().iter().map(|r| r["row"].as_u64().unwrap()).collect();
    assert_eq!(skipped, vec![5, 7], "{body}");
    assert_eq!(body["skippedRows"][0]["value"], "12345");
    assert_eq!(body["campaign"]["status"], "READY");
    assert_eq!(body["campaign"]["totalRecipients"], 4);
}

async fn setup() -> (TestApp, User, i64) {
    let app = TestApp::spawn().await;
    let user = user(&app).await;
    let id = create_campaign(&app, &user, "import").await;
    (app, user, id)
}

const FIXTURE_PHONES: [&str; 4] = ["989123456789", "989351234567", "989012345678", "447911123456"];

#[tokio::test]
async fn imports_an_openpyxl_workbook_with_persian_headers() {
    let (app, user, id) = setup().await;
    let body =
        expect_status(import(&app, &user, id, "list.xlsx", fixture("recipients-openpyxl.xlsx")).await, StatusCode::OK)
            .await;
    check_fixture_outcome(&body);
    assert_eq!(phones(&app, id).await, FIXTURE_PHONES);
    let names: Vec<Option<String>> =
        sqlx::query_scalar("SELECT name FROM recipients WHERE campaign_id = ? ORDER BY id")
            .bind(id)
            .fetch_all(&app.db)
            .await
            .unwrap();
    assert_eq!(names[0].as_deref(), Some("علی رضایی"));
    assert_eq!(campaign_status(&app, id).await, ("READY".to_owned(), 4));
}

#[tokio::test]
async fn imports_an_xlwt_xls_workbook() {
    let (app, user, id) = setup().await;
    // The name says .xlsx: the content decides.
    let body =
        expect_status(import(&app, &user, id, "renamed.xlsx", fixture("recipients-xlwt.xls")).await, StatusCode::OK)
            .await;
    check_fixture_outcome(&body);
    assert_eq!(phones(&app, id).await, FIXTURE_PHONES);
}

#[tokio::test]
async fn imports_rust_xlsxwriter_numbers_and_every_header_alias() {
    let (app, user, id) = setup().await;
    for (phone_header, name_header) in [("phone", "name"), ("Phone", "Name"), ("PHONE", "NAME"), ("شماره تلفن", "نام")]
    {
        let file = xlsx(&[
            vec![Cell::Text(name_header), Cell::Blank, Cell::Text(phone_header)],
            vec![Cell::Text("رضا"), Cell::Blank, Cell::Number(9123456789.0)],
            vec![Cell::Text("Ali"), Cell::Blank, Cell::Number(989121111111.0)],
            vec![Cell::Blank],
            vec![Cell::Text("Persian"), Cell::Blank, Cell::Text("۰۹۱۲ ۲۲۲ ۲۲۲۲")],
            vec![Cell::Text("Arabic-Indic"), Cell::Blank, Cell::Text("٠٩١٢٣٣٣٣٣٣٣")],
            vec![Cell::Text("0098"), Cell::Blank, Cell::Text("00989124444444")],
        ]);
        let body = expect_status(import(&app, &user, id, "list.xlsx", file).await, StatusCode::OK).await;
        assert_eq!(body["recipientsCount"], 5, "{phone_header}: {body}");
        assert_eq!(body["skipped"], 0);
    }
    // Importing again replaced the list each time.
    assert_eq!(
        phones(&app, id).await,
        ["989123456789", "989121111111", "989122222222", "989123333333", "989124444444"]
    );
}

#[tokio::test]
async fn imports_csv_with_bom_and_semicolons() {
    let (app, user, id) = setup().await;
    let csv = "\u{FEFF}نام;شماره تلفن\nعلی;09123456789\n\"Doe; John\";+98 912 000 0001\nبد;abc\n";
    let body = expect_status(import(&app, &user, id, "list.csv", csv.as_bytes().to_vec()).await, StatusCode::OK).await;
    assert_eq!(body["recipientsCount"], 2, "{body}");
    assert_eq!(body["skippedRows"][0]["row"], 4);
    assert_eq!(phones(&app, id).await, ["989123456789", "989120000001"]);
}

#[tokio::test]
async fn the_builtin_template_imports_once_filled_in() {
    let (app, user, id) = setup().await;
    let template =
        app.client.get(app.url("/api/campaigns/excel-template/download")).send().await.unwrap().bytes().await.unwrap();
    let sheets = crate::campaign_helpers::read_workbook(&template);
    let header = sheets[0].1[0].clone();
    let file = xlsx(&[
        vec![Cell::Text(&header[0]), Cell::Text(&header[1])],
        vec![Cell::Text("09123456789"), Cell::Text("نمونه")],
    ]);
    let body = expect_status(import(&app, &user, id, "filled.xlsx", file).await, StatusCode::OK).await;
    assert_eq!(body["recipientsCount"], 1);
}

/// A failed import must leave the earlier list and status exactly as they were.
async fn assert_unchanged(app: &TestApp, id: i64) {
    assert_eq!(phones(app, id).await, ["989123456789"]);
    assert_eq!(campaign_status(app, id).await, ("READY".to_owned(), 1));
}

async fn with_one_recipient() -> (TestApp, User, i64) {
    let (app, user, id) = setup().await;
    let file = xlsx(&[vec![Cell::Text("phone")], vec![Cell::Text("09123456789")]]);
    expect_status(import(&app, &user, id, "one.xlsx", file).await, StatusCode::OK).await;
    (app, user, id)
}

#[tokio::test]
async fn bad_files_are_refused_and_change_nothing() {
    let (app, user, id) = with_one_recipient().await;

    let no_phone =
        xlsx(&[vec![Cell::Text("telephone"), Cell::Text("name")], vec![Cell::Text("09123456780"), Cell::Text("x")]]);
    let error = expect_error(
        import(&app, &user, id, "a.xlsx", no_phone).await,
        StatusCode::BAD_REQUEST,
        "PHONE_COLUMN_MISSING",
    )
    .await;
    let message = error["message"].as_str().unwrap();
    assert!(message.contains("phone") && message.contains("شماره تلفن"), "{message}");

    let all_invalid = xlsx(&[vec![Cell::Text("phone")], vec![Cell::Text("123")], vec![Cell::Text("abc")]]);
    expect_error(import(&app, &user, id, "b.xlsx", all_invalid).await, StatusCode::BAD_REQUEST, "NO_VALID_RECIPIENTS")
        .await;

    let png = crate::campaign_helpers::png();
    expect_error(
        import(&app, &user, id, "c.xlsx", png).await,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "UNSUPPORTED_MEDIA_TYPE",
    )
    .await;
    let elf = b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x02\0".to_vec();
    expect_error(
        import(&app, &user, id, "d.csv", elf).await,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "UNSUPPORTED_MEDIA_TYPE",
    )
    .await;

    let mut truncated = xlsx(&[vec![Cell::Text("phone")], vec![Cell::Text("09123456780")]]);
    truncated.truncate(truncated.len() / 2);
    expect_error(import(&app, &user, id, "e.xlsx", truncated).await, StatusCode::BAD_REQUEST, "INVALID_SPREADSHEET")
        .await;
    let fake_xls = [&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1][..], &[0u8; 600][..]].concat();
    expect_error(import(&app, &user, id, "f.xls", fake_xls).await, StatusCode::BAD_REQUEST, "INVALID_SPREADSHEET")
        .await;

    let bomb = fixture("zip-bomb.xlsx");
    let error =
        expect_error(import(&app, &user, id, "g.xlsx", bomb).await, StatusCode::PAYLOAD_TOO_LARGE, "PAYLOAD_TOO_LARGE")
            .await;
    assert!(error["message"].as_str().unwrap().contains("expands"), "{error}");

    let huge = format!("phone\n{}", "09123456780\n".repeat(500_000)).into_bytes();
    assert!(huge.len() > 5 * 1024 * 1024);
    expect_error(import(&app, &user, id, "h.csv", huge).await, StatusCode::PAYLOAD_TOO_LARGE, "PAYLOAD_TOO_LARGE")
        .await;

    let response = app
        .client
        .post(app.url(&format!("/api/campaigns/{id}/recipients")))
        .bearer_auth(&user.token)
        .json(&serde_json::json!({"recipientsFile": "09123456780"}))
        .send()
        .await
        .unwrap();
    expect_error(response, StatusCode::UNSUPPORTED_MEDIA_TYPE, "UNSUPPORTED_MEDIA_TYPE").await;
    let wrong_field = crate::campaign_helpers::upload(
        &app,
        &format!("/api/campaigns/{id}/recipients"),
        &user.token,
        "file",
        "a.csv",
        b"phone\n09123456780".to_vec(),
    )
    .await;
    let error = expect_error(wrong_field, StatusCode::BAD_REQUEST, "VALIDATION_ERROR").await;
    assert_eq!(error["errors"][0]["field"], "recipientsFile");

    assert_unchanged(&app, id).await;
}

#[tokio::test]
async fn imports_are_refused_once_the_campaign_runs() {
    let (app, user, id) = with_one_recipient().await;
    let file = xlsx(&[vec![Cell::Text("phone")], vec![Cell::Text("09123456780")]]);
    for status in ["RUNNING", "PAUSED", "COMPLETED"] {
        set_status(&app, id, status).await;
        let response = import(&app, &user, id, "late.xlsx", file.clone()).await;
        expect_error(response, StatusCode::CONFLICT, "INVALID_CAMPAIGN_STATE").await;
    }
    assert_eq!(phones(&app, id).await, ["989123456789"]);
}

/// The load test's pattern: neighbouring campaigns' lists replaced at the
/// same time, again and again. Each import either wins its row lock or waits
/// for it; none is answered 5xx (a deadlock or lock wait used to be one).
#[tokio::test]
async fn lists_of_neighbouring_campaigns_replaced_at_once_all_succeed() {
    let (app, user, _) = setup().await;
    let mut ids = Vec::new();
    for n in 0..6 {
        ids.push(create_campaign(&app, &user, &format!("neighbour {n}")).await);
    }
    let csv = |seed: usize| {
        let mut csv = String::from("phone,name\n");
        for row in 0..300 {
            csv.push_str(&format!("0912{:07},R {row}\n", (seed * 7919 + row) % 10_000_000));
        }
        csv.into_bytes()
    };
    for round in 0..3 {
        let imports = ids.iter().map(|&id| {
            let (app, user) = (&app, &user);
            async move { import(app, user, id, "list.csv", csv(id as usize + round)).await.status() }
        });
        let statuses = futures_util::future::join_all(imports).await;
        assert!(statuses.iter().all(|s| *s == StatusCode::OK), "round {round}: {statuses:?}");
    }
    for &id in &ids {
        assert_eq!(campaign_status(&app, id).await, ("READY".to_owned(), 300));
    }
}
