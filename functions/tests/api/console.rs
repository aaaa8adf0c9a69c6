//! The console in a real Chromium against the real app: a newcomer's
//! journey through the pages, the admin pages, errors shown next to their
//! fields, and a 360 px wide screen on which no control runs off the edge.

use std::time::Duration;

use fantoccini::{elements::Element, Client, Locator};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::{
    browser::Browser,
    campaign_helpers::{xlsx, Cell},
    helpers::TestApp,
};

const WAIT: Duration = Duration::from_secs(20);

async fn spawn() -> TestApp {
    TestApp::spawn_with(&[("PAYMENT_RESULT_URL", "{address}/console/payment/result")]).await
}

async fn open(client: &Client, url: &str) {
    client.goto(url).await.unwrap();
    client.wait().at_most(WAIT).for_element(Locator::Css("body[data-ready]")).await.expect("the console started");
}

async fn find(client: &Client, css: &str) -> Element {
    client.wait().at_most(WAIT).for_element(Locator::Css(css)).await.unwrap_or_else(|e| panic!("{css}: {e}"))
}

async fn fill(client: &Client, css: &str, text: &str) {
    let input = find(client, css).await;
    input.clear().await.unwrap();
    input.send_keys(text).await.unwrap();
}

/// Wait until the element's text satisfies `check`; its last text.
async fn text_until(client: &Client, css: &str, check: impl Fn(&str) -> bool) -> String {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let text = match client.find(Locator::Css(css)).await {
            Ok(element) => element.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        if check(&text) {
            return text;
        }
        assert!(tokio::time::Instant::now() < deadline, "{css} never matched; last text: {text:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Log in through the page.
async fn log_in(client: &Client, email: &str, password: &str) {
    fill(client, "form [name=email]", email).await;
    fill(client, "form [name=password]", password).await;
    find(client, "form button[type=submit]").await.click().await.unwrap();
    find(client, "body[data-page='#/campaigns'] #campaign-list").await;
}

fn temp_file(name: &str, bytes: &[u8]) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    (dir, path.to_string_lossy().into_owned())
}

#[tokio::test]
async fn the_page_is_served_at_the_root_with_its_own_policy_and_no_simulator() {
    let app = spawn().await;
    let page = app.get("/").await;
    assert_eq!(page.status(), StatusCode::OK);
    let policy = page.headers()["content-security-policy"].to_str().unwrap().to_owned();
    assert!(policy.contains("script-src 'self'") && !policy.contains("unsafe"), "{policy}");
    let html = page.text().await.unwrap();
    assert!(html.contains(r#"lang="fa" dir="rtl""#) && !html.contains("https://"), "{html}");
    for asset in ["/console/app.js", "/console/app.css"] {
        assert_eq!(app.get(asset).await.status(), StatusCode::OK, "{asset}");
    }
    let config: Value = app.get("/console/config.json").await.json().await.unwrap();
    assert_eq!(config["simulatorUrl"], Value::Null);
    // The console is not part of the API: unknown API paths still answer JSON.
    assert_eq!(app.get("/api/nothing").await.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_newcomer_signs_up_buys_creates_a_campaign_and_imports_a_list_in_the_browser() {
    let app = spawn().await;
    let (_, admin) = app.staff("ADMIN").await;
    let package = app.create_package(&admin.access_token, 50_000, 30, 1000).await;
    let browser = Browser::start().await;
    let client = &browser.client;
    open(client, &app.url("/")).await;
    assert_eq!(client.current_url().await.unwrap().fragment(), Some("/login"), "a visitor starts at the login page");

    // Sign up; a bad e-mail is shown next to its field, in the API's words.
    open(client, &app.url("/#/signup")).await;
    fill(client, "form [name=name]", "مریم رضایی").await;
    fill(client, "form [name=email]", "not-an-email").await;
    fill(client, "form [name=phone]", "۰۹۱۲۳۴۵۶۷۸۹").await;
    fill(client, "form [name=password]", "a-long-password-1").await;
    find(client, "form button[type=submit]").await.click().await.unwrap();
    let said = text_until(client, ".field-error[data-field=email]", |t| !t.is_empty()).await;
    assert!(said.to_lowercase().contains("mail"), "{said}");
    fill(client, "form [name=email]", "maryam@example.com").await;
    find(client, "form button[type=submit]").await.click().await.unwrap();
    find(client, "body[data-page='#/campaigns'] #campaign-list").await;

    // Log out and back in.
    find(client, "#logout").await.click().await.unwrap();
    find(client, "body[data-page='#/login'] form").await;
    log_in(client, "maryam@example.com", "a-long-password-1").await;

    // Buy a package: the order, the gateway's page, back to the console.
    find(client, "a[href='#/packages']").await.click().await.unwrap();
    find(client, &format!("[data-package='{package}'] button")).await.click().await.unwrap();
    let result = text_until(client, "#payment-result", |t| !t.is_empty()).await;
    assert_eq!(find(client, "#payment-result").await.attr("class").await.unwrap().as_deref(), Some("ok"), "{result}");
    find(client, "a.button[href='#/subscription']").await.click().await.unwrap();
    find(client, "#subscription [data-status=ACTIVE]").await;

    // A campaign: the preview fills in the name as the message is typed.
    open(client, &app.url("/#/campaigns/new")).await;
    fill(client, "form [name=title]", "حراج نوروزی").await;
    fill(client, "form [name=message]", "سلام {{name}}، {تخفیف|حراج} نوروزی!").await;
    let preview = text_until(client, "#message-preview", |t| t.contains("علی")).await;
    assert_eq!(preview, "سلام علی، تخفیف نوروزی!");
    find(client, "form button[type=submit]").await.click().await.unwrap();
    find(client, "#campaign-head [data-status=DRAFT]").await;
    let url = client.current_url().await.unwrap();
    let id: i64 = url.fragment().unwrap().rsplit('/').next().unwrap().parse().unwrap();

    // The list: two good rows, one skipped and shown with its reason.
    let rows = vec![
        vec![Cell::Text("phone"), Cell::Text("name")],
        vec![Cell::Text("09121111111"), Cell::Text("علی")],
        vec![Cell::Number(9122222222.0), Cell::Text("سارا")],
        vec![Cell::Text("12"), Cell::Text("غلط")],
    ];
    let (_dir, path) = temp_file("list.xlsx", &xlsx(&rows));
    find(client, "#recipients-file").await.send_keys(&path).await.unwrap();
    find(client, "#campaign-head [data-status=READY]").await;
    text_until(client, "[data-counter=total] b", |t| t == "۲").await;
    let skipped = text_until(client, "#import-result table", |t| !t.is_empty()).await;
    assert!(skipped.contains("12"), "the skipped row is listed: {skipped}");

    let shown = find(client, "#main").await.text().await.unwrap();
    assert!(!shown.contains("false") && !shown.contains("null") && !shown.contains("undefined"), "{shown}");

    // An attachment, by the file input as well.
    let png = base64::Engine::decode(
        &base64::engine::general_purpose::STANDARD,
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==",
    )
    .unwrap();
    let (_dir2, image) = temp_file("poster.png", &png);
    find(client, "#attachment-file").await.send_keys(&image).await.unwrap();
    text_until(client, "#attachment-info", |t| t.contains("poster.png")).await;

    // What the page showed is what the API holds.
    let login =
        app.post("/api/user/login", &json!({"email": "maryam@example.com", "password": "a-long-password-1"})).await;
    let token = login.json::<Value>().await.unwrap()["accessToken"].as_str().unwrap().to_owned();
    let campaign = app.get_auth(&format!("/api/campaigns/{id}"), &token).await.json::<Value>().await.unwrap();
    assert_eq!(campaign["campaign"]["status"], "READY");
    assert_eq!(campaign["campaign"]["totalRecipients"], 2);
    assert_eq!(campaign["campaign"]["attachment"]["originalName"], "poster.png");
    let subscription = app.get_auth("/api/campaigns/subscription", &token).await.json::<Value>().await.unwrap();
    assert_eq!(subscription["subscription"]["isActive"], true);

    // The list shows it, and the live channel is up.
    find(client, "#live.ok").await;
    open(client, &app.url("/#/campaigns")).await;
    text_until(client, &format!("[data-campaign='{id}']"), |t| t.contains("حراج نوروزی")).await;
    client.clone().close().await.unwrap();
}

#[tokio::test]
async fn an_admin_sees_the_dashboard_bans_a_user_and_adds_a_package_from_the_pages() {
    let app = spawn().await;
    let (staff, _) = app.staff("ADMIN").await;
    let (victim, _) = app.user().await;
    let browser = Browser::start().await;
    let client = &browser.client;
    open(client, &app.url("/#/login")).await;
    log_in(client, &staff.email, &staff.password).await;
    find(client, "a[href='#/admin']").await.click().await.unwrap();
    text_until(client, "[data-stat=totalUsers] b", |t| t == "۲").await;

    find(client, "a[href='#/admin/users']").await.click().await.unwrap();
    let status = find(client, &format!("select[name=status][data-user='{}']", victim.id)).await;
    status.select_by_value("BANNED").await.unwrap();
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let now: String = sqlx::query_scalar("SELECT status FROM users WHERE id = ?")
            .bind(victim.id)
            .fetch_one(&app.db)
            .await
            .unwrap();
        if now == "BANNED" {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "the ban never reached the database");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    find(client, "a[href='#/admin/packages']").await.click().await.unwrap();
    find(client, "#packages").await;
    fill(client, "form [name=title]", "بسته طلایی").await;
    fill(client, "form [name=description]", "ده هزار پیام").await;
    fill(client, "form [name=price]", "990000").await;
    fill(client, "form [name=duration]", "30").await;
    fill(client, "form [name=messageLimit]", "-1").await;
    find(client, "form button[type=submit]").await.click().await.unwrap();
    // A negative limit is refused next to its field; fixed, the package is made.
    text_until(client, ".field-error[data-field=messageLimit]", |t| !t.is_empty()).await;
    fill(client, "form [name=messageLimit]", "10000").await;
    find(client, "form button[type=submit]").await.click().await.unwrap();
    text_until(client, "#packages", |t| t.contains("بسته طلایی")).await;
    assert_eq!(app.count("packages").await, 1);

    find(client, "a[href='#/admin/transactions']").await.click().await.unwrap();
    find(client, "#transactions").await;
    find(client, "a[href='#/admin/template']").await.click().await.unwrap();
    find(client, "#template-info").await;
    client.clone().close().await.unwrap();
}

/// Every visible control lies within the viewport's width, and the page
/// does not scroll sideways.
const OFF_SCREEN: &str = r#"
    const width = document.documentElement.clientWidth;
    const off = [];
    for (const el of document.querySelectorAll('a, button, input, select, textarea, label, h1, h2, h3, p, table')) {
        const r = el.getBoundingClientRect();
        if (r.width === 0 || r.height === 0 || el.closest('.scroll')) continue;
        if (r.left < -1 || r.right > width + 1) off.push(`${el.tagName}#${el.id}.${el.className} ${Math.round(r.left)}..${Math.round(r.right)}`);
    }
    if (document.documentElement.scrollWidth > width + 1) off.push(`page is ${document.documentElement.scrollWidth}px wide`);
    return off;
"#;

#[tokio::test]
async fn at_360_pixels_wide_no_control_is_off_screen_in_either_language() {
    let app = spawn().await;
    let (staff, session) = app.staff("SUPER_ADMIN").await;
    let created = app
        .post_auth(
            "/api/campaigns",
            &session.access_token,
            &json!({"title": "یک عنوان بلند برای آزمایش صفحه باریک", "message": "سلام"}),
        )
        .await
        .json::<Value>()
        .await
        .unwrap();
    let id = created["campaign"]["id"].as_i64().unwrap();
    app.create_package(&session.access_token, 100, 30, 100).await;
    let browser = Browser::start().await;
    let client = &browser.client;
    client.set_window_size(360, 780).await.unwrap();
    open(client, &app.url("/#/login")).await;
    let inner: i64 = client.execute("return window.innerWidth", vec![]).await.unwrap().as_i64().unwrap();
    assert!(inner <= 360, "the window is {inner} px wide");
    log_in(client, &staff.email, &staff.password).await;
    let pages = [
        ("#/signup", "form"),
        ("#/login", "form"),
        ("#/campaigns", "#campaign-list"),
        ("#/campaigns/new", "#message-preview"),
        (&*format!("#/campaigns/{id}"), "#progress"),
        ("#/packages", "[data-package]"),
        ("#/subscription", "#subscription"),
        ("#/admin", "#stats"),
        ("#/admin/users", "#users table"),
        ("#/admin/packages", "#packages"),
        ("#/admin/transactions", "#transactions"),
        ("#/admin/template", "#template-info"),
    ];
    for language in ["fa", "en"] {
        client.execute("localStorage.setItem('lang', arguments[0])", vec![json!(language)]).await.unwrap();
        for (hash, marker) in pages {
            open(client, &app.url(&format!("/{hash}"))).await;
            find(client, marker).await;
            let off = client.execute(OFF_SCREEN, vec![]).await.unwrap();
            assert_eq!(off, json!([]), "{language} {hash}: controls off-screen at 360 px");
        }
    }
    client.clone().close().await.unwrap();
}

/// A stand-in for the WhatsApp simulator's control API: it lists no
/// devices and records the QR references it is asked to scan.
async fn fake_simulator() -> (String, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    use axum::{routing::get, routing::post, Json, Router};
    let scans = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = scans.clone();
    let app = Router::new().route("/__control/devices", get(|| async { Json(json!([])) })).route(
        "/__control/scan",
        post(move |Json(body): Json<Value>| async move {
            seen.lock().unwrap().push(body["ref"].as_str().unwrap_or_default().to_owned());
            Json(json!({"id": "device-1"}))
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, scans)
}

#[tokio::test]
async fn the_simulated_phone_is_offered_only_when_a_simulator_answers_and_its_scan_goes_through_the_gateway() {
    let (simulator, scans) = fake_simulator().await;
    let app = TestApp::spawn_with(&[("WHATSAPP_URL", &simulator)]).await;
    let config: Value = app.get("/console/config.json").await.json().await.unwrap();
    assert_eq!(config["simulatorUrl"], simulator.as_str());
    let scanned = app.post("/console/simulator/scan", &json!({"ref": "2@abc,def"})).await;
    assert_eq!(scanned.status(), StatusCode::OK);
    assert_eq!(*scans.lock().unwrap(), vec!["2@abc,def".to_owned()]);

    for not_a_simulator in ["http://127.0.0.1:9", "https://web.whatsapp.com"] {
        let app = TestApp::spawn_with(&[("WHATSAPP_URL", not_a_simulator)]).await;
        let config: Value = app.get("/console/config.json").await.json().await.unwrap();
        assert_eq!(config["simulatorUrl"], Value::Null, "{not_a_simulator}");
    }
}

#[tokio::test]
async fn an_expired_access_token_is_refreshed_silently_and_a_dead_session_goes_back_to_login() {
    let app = spawn().await;
    let (account, _) = app.user().await;
    let browser = Browser::start().await;
    let client = &browser.client;
    open(client, &app.url("/#/login")).await;
    log_in(client, &account.email, &account.password).await;

    // A bad access token: the page refreshes it and carries on.
    let spoil =
        "const a = JSON.parse(localStorage.auth); a.accessToken = 'expired'; localStorage.auth = JSON.stringify(a);";
    client.execute(spoil, vec![]).await.unwrap();
    open(client, &app.url("/#/subscription")).await;
    find(client, "#subscription").await;
    let token = client.execute("return JSON.parse(localStorage.auth).accessToken", vec![]).await.unwrap();
    assert_ne!(token, json!("expired"), "the token was refreshed");

    // Both tokens dead: back to the login page.
    let kill = "const a = JSON.parse(localStorage.auth); a.accessToken = 'x'; a.refreshToken = 'y'; localStorage.auth = JSON.stringify(a);";
    client.execute(kill, vec![]).await.unwrap();
    open(client, &app.url("/#/campaigns")).await;
    find(client, "body[data-page='#/login'] form").await;
    client.clone().close().await.unwrap();
}

#[tokio::test]
async fn a_rate_limited_person_is_told_when_to_try_again() {
    let app = TestApp::spawn_with(&[("RATE_LIMIT_MAX", "2")]).await;
    let browser = Browser::start().await;
    let client = &browser.client;
    open(client, &app.url("/#/login")).await;
    fill(client, "form [name=email]", "nobody@example.com").await;
    fill(client, "form [name=password]", "wrong-password").await;
    for _ in 0..3 {
        find(client, "form button[type=submit]").await.click().await.unwrap();
        text_until(client, ".form-error", |t| !t.is_empty()).await;
    }
    let said = text_until(client, ".form-error", |t| t.contains("ثانیه")).await;
    assert!(said.chars().any(|c| c.is_ascii_digit()), "the wait is given in seconds: {said}");
    client.clone().close().await.unwrap();
}

#[tokio::test]
async fn a_schedule_is_read_as_wall_clock_time_in_the_chosen_time_zone() {
    let app = spawn().await;
    let (account, session) = app.user().await;
    let browser = Browser::start().await;
    let client = &browser.client;
    open(client, &app.url("/#/login")).await;
    log_in(client, &account.email, &account.password).await;
    open(client, &app.url("/#/campaigns/new")).await;
    fill(client, "form [name=message]", "سلام").await;
    find(client, "form [name=isScheduled]").await.click().await.unwrap();
    client.execute("document.querySelector('[name=scheduledAt]').value = '2030-03-21T10:00'", vec![]).await.unwrap();
    find(client, "form select[name=timezone]").await.select_by_value("Asia/Tehran").await.unwrap();
    find(client, "form button[type=submit]").await.click().await.unwrap();
    find(client, "#campaign-head [data-status=DRAFT]").await;
    let id: i64 = client.current_url().await.unwrap().fragment().unwrap().rsplit('/').next().unwrap().parse().unwrap();
    let campaign: Value =
        app.get_auth(&format!("/api/campaigns/{id}"), &session.access_token).await.json().await.unwrap();
    // Tehran is UTC+3:30 all year since 2022.
    let at = chrono::DateTime::parse_from_rfc3339(campaign["campaign"]["scheduledAt"].as_str().unwrap()).unwrap();
    assert_eq!(at.to_utc().to_rfc3339(), "2030-03-21T06:30:00+00:00", "{campaign}");
    assert_eq!(campaign["campaign"]["timezone"], "Asia/Tehran");
    assert_eq!(campaign["campaign"]["isScheduled"], true);
    client.clone().close().await.unwrap();
}
