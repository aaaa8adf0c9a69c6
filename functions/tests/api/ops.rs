//! The operations CLI, run as the real binary against the test database.

use std::process::{Command, Output};

use calamine::{Data, Reader, Xlsx};
use reqwest::StatusCode;

use crate::helpers::{expect_status, TestApp};

fn ops(app: &TestApp, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ops"))
        .args(args)
        .env("DATABASE_URL", &app.ctx.settings.database_url)
        .env("RUST_LOG", "warn")
        .output()
        .expect("ops runs")
}

fn text(output: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

#[tokio::test]
async fn help_lists_every_command() {
    let app = TestApp::spawn().await;
    let output = ops(&app, &["--help"]);
    assert!(output.status.success());
    for command in ["check-env", "migrate", "make-admin", "give-subscription", "create-test-excel"] {
        assert!(text(&output).contains(command), "{command} missing");
    }
}

#[tokio::test]
async fn make_admin_promotes_by_email() {
    let app = TestApp::spawn().await;
    let (account, session) = app.user().await;
    let output = ops(&app, &["make-admin", &account.email.to_uppercase()]);
    assert!(output.status.success(), "{}", text(&output));
    expect_status(app.get_auth("/api/admin/dashboard", &session.access_token).await, StatusCode::OK).await;
    let output = ops(&app, &["make-admin", "--super", &account.email]);
    assert!(output.status.success(), "{}", text(&output));
    let role: String =
        sqlx::query_scalar("SELECT role FROM users WHERE id = ?").bind(account.id).fetch_one(&app.db).await.unwrap();
    assert_eq!(role, "SUPER_ADMIN");

    let output = ops(&app, &["make-admin", "nobody@example.com"]);
    assert!(!output.status.success());
    assert!(text(&output).contains("User not found"), "{}", text(&output));
    assert!(!ops(&app, &["make-admin", "not-an-email"]).status.success());
}

#[tokio::test]
async fn give_subscription_grants_like_a_payment() {
    let app = TestApp::spawn().await;
    let (_, admin) = app.staff("ADMIN").await;
    let package_id = app.create_package(&admin.access_token, 10_000, 15, 300).await;
    let (account, session) = app.user().await;
    let output = ops(&app, &["give-subscription", &account.email, &package_id.to_string()]);
    assert!(output.status.success(), "{}", text(&output));
    assert!(text(&output).contains("active until"));
    let sub =
        expect_status(app.get_auth("/api/campaigns/subscription", &session.access_token).await, StatusCode::OK).await;
    assert_eq!(sub["subscription"]["isActive"], true);
    assert_eq!(sub["subscription"]["totalLimit"], 300);
    let order: Option<i64> = sqlx::query_scalar("SELECT order_id FROM user_packages").fetch_one(&app.db).await.unwrap();
    assert_eq!(order, None, "no order behind an operator's grant");

    assert!(!ops(&app, &["give-subscription", &account.email, "999999"]).status.success());
    assert!(!ops(&app, &["give-subscription", &account.email, "abc"]).status.success());
    assert_eq!(app.count("user_packages").await, 1);
}

#[tokio::test]
async fn create_test_excel_writes_an_importable_list() {
    let app = TestApp::spawn().await;
    let dir = std::env::temp_dir();
    let persian = dir.join(format!("ops-{}.xlsx", uuid::Uuid::new_v4().simple()));
    let output = ops(&app, &["create-test-excel", "25", persian.to_str().unwrap()]);
    assert!(output.status.success(), "{}", text(&output));
    assert!(String::from_utf8_lossy(&output.stderr).contains("rows written: 25/25 (100%)"));

    let mut workbook: Xlsx<_> = calamine::open_workbook(&persian).unwrap();
    let range = workbook.worksheet_range_at(0).unwrap().unwrap();
    std::fs::remove_file(&persian).unwrap();
    let rows: Vec<_> = range.rows().collect();
    assert_eq!(rows.len(), 26);
    assert_eq!(rows[0], [Data::String("شماره تلفن".into()), Data::String("نام".into())]);
    let phones: std::collections::HashSet<String> = rows[1..]
        .iter()
        .map(|row| shared::domain::Phone::parse(&row[0].to_string()).expect("a valid phone").to_string())
        .collect();
    assert_eq!(phones.len(), 25, "distinct numbers");

    let english = dir.join(format!("ops-{}.xlsx", uuid::Uuid::new_v4().simple()));
    assert!(ops(&app, &["create-test-excel", "3", english.to_str().unwrap(), "--english"]).status.success());
    let bytes = std::fs::read(&english).unwrap();
    std::fs::remove_file(&english).unwrap();
    assert_eq!(shared::excel::xlsx_check::check_recipients_header(&bytes), Ok(()));
    assert!(!ops(&app, &["create-test-excel", "0", "/tmp/never.xlsx"]).status.success());
}
