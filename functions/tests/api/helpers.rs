#![allow(dead_code)] // each test module uses a different part of the kit
//! `TestApp::spawn`: a uniquely named database, migrated; the fakes; the
//! gateway app (every area router with its layers) on a random port.

use std::{collections::HashMap, net::SocketAddr};

use reqwest::{Response, StatusCode};
use serde_json::{json, Value};
use shared::{config::Settings, AppContext};
use sqlx::MySqlPool;

use super::{fake_sms::FakeSms, fake_smtp::FakeSmtp, fake_zarinpal::FakeZarinpal, log_capture};

pub struct TestApp {
    pub address: String,
    pub db: MySqlPool,
    pub client: reqwest::Client,
    pub sms: FakeSms,
    pub smtp: FakeSmtp,
    pub zarinpal: FakeZarinpal,
    pub ctx: AppContext,
}

pub struct Account {
    pub id: i64,
    pub email: String,
    pub phone: String,
    pub password: String,
}

pub struct Session {
    pub access_token: String,
    pub refresh_token: String,
}

/// The frontend page the payment callback redirects to.
pub const RESULT_URL: &str = "http://app.example.test/payment/result";

fn server_url() -> String {
    std::env::var("TEST_DATABASE_URL").unwrap_or_else(|_| "mysql://root@127.0.0.1:3306".into())
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(&[]).await
    }

    /// Spawn with some settings overridden (environment variable names).
    pub async fn spawn_with(overrides: &[(&str, &str)]) -> Self {
        log_capture::install();
        // The creation time in the name lets `infra/dev.sh test` drop only
        // stale databases, never those of a test run still going.
        let created = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
        let db_name = format!("test_{created}_{}", uuid::Uuid::new_v4().simple());
        let admin = MySqlPool::connect(&server_url()).await.expect("MariaDB reachable at TEST_DATABASE_URL");
        sqlx::query(&format!("CREATE DATABASE `{db_name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"))
            .execute(&admin)
            .await
            .unwrap();
        admin.close().await;

        // Bound first: the app pushes WebSocket events to its own
        // management endpoint, as the local gateway does.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = format!("http://{}", listener.local_addr().unwrap());
        let sms = FakeSms::start(&format!("key-{}", uuid::Uuid::new_v4().simple())).await;
        let smtp = FakeSmtp::start().await;
        let zarinpal = FakeZarinpal::start().await;
        let mut env: HashMap<String, String> = [
            ("DATABASE_URL", format!("{}/{db_name}", server_url())),
            ("DATABASE_MAX_CONNECTIONS", "5".into()),
            ("JWT_SECRET", format!("test-secret-{}", uuid::Uuid::new_v4().simple())),
            ("SMS_PROVIDER", "kavenegar".into()),
            ("KAVENEGAR_BASE_URL", sms.url.clone()),
            ("KAVENEGAR_API_KEY", sms.api_key.clone()),
            ("EMAIL_PROVIDER", "smtp".into()),
            ("SMTP_HOST", "127.0.0.1".into()),
            ("SMTP_PORT", smtp.port.to_string()),
            ("SMTP_TLS", "none".into()),
            ("SMTP_FROM", "Campaigns <noreply@example.com>".into()),
            ("FRONTEND_URL", "http://app.example.test".into()),
            ("RATE_LIMIT_MAX", "100000".into()),
            ("AWS_ENDPOINT_URL", std::env::var("AWS_ENDPOINT_URL").unwrap_or_else(|_| "http://127.0.0.1:4566".into())),
            ("S3_BUCKET", format!("test-{}", uuid::Uuid::new_v4().simple())),
            ("WS_MANAGEMENT_ENDPOINT", address.clone()),
            ("PAYMENT_GATEWAY", "zarinpal".into()),
            ("ZARINPAL_MERCHANT_ID", zarinpal.merchant_id.clone()),
            ("ZARINPAL_API_BASE", zarinpal.url.clone()),
            ("ZARINPAL_STARTPAY_BASE", zarinpal.url.clone()),
            ("PAYMENT_CALLBACK_BASE_URL", address.clone()),
            ("PAYMENT_RESULT_URL", RESULT_URL.into()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        // `{address}` in an override stands for this app's own base URL.
        for (key, value) in overrides {
            env.insert((*key).to_owned(), value.replace("{address}", &address));
        }
        // The sessions queue is made per test, so commands never cross tests.
        let queue_name = format!("test-sessions-{}", uuid::Uuid::new_v4().simple());
        let sdk = shared::aws::sdk_config(&shared::config::AwsSettings {
            region: "us-east-1".into(),
            endpoint_url: Some(env["AWS_ENDPOINT_URL"].clone()),
            s3_bucket: String::new(),
            ws_management_endpoint: None,
            sessions_queue_url: String::new(),
            queues_create: shared::config::QueueCreation::Auto,
        })
        .await;
        let queue_url = aws_sdk_sqs::Client::new(&sdk)
            .create_queue()
            .queue_name(&queue_name)
            .send()
            .await
            .expect("SQS emulator reachable")
            .queue_url
            .unwrap();
        env.insert("SQS_SESSIONS_QUEUE_URL".into(), queue_url);
        let settings = Settings::from_map(&env).expect("test settings");
        let db = shared::db::connect(&settings.database_url, 5).await.unwrap();
        shared::db::migrate(&db).await.unwrap();
        // The fleet has a free browser (`stand_in_sender` acts for it),
        // heartbeating all along; tests of a full fleet fill it.
        sqlx::query(
            "INSERT INTO senders (id, inbox_url, capacity, heartbeat_at) \
             VALUES ('stand-in', 'http://stand-in', 100, CURRENT_TIMESTAMP(3) + INTERVAL 1 DAY)",
        )
        .execute(&db)
        .await
        .unwrap();
        let ctx = AppContext::with_pool(settings, db.clone()).await.unwrap();
        ctx.storage.client().create_bucket().bucket(ctx.storage.bucket()).send().await.expect("S3 emulator reachable");

        let app = functions::gateway::app(ctx.clone());
        tokio::spawn(async move {
            axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await.unwrap()
        });
        let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        Self { address, db, client, sms, smtp, zarinpal, ctx }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn post(&self, path: &str, body: &Value) -> Response {
        self.client.post(self.url(path)).json(body).send().await.unwrap()
    }

    pub async fn post_raw(&self, path: &str, body: &str) -> Response {
        self.client
            .post(self.url(path))
            .header("content-type", "application/json")
            .body(body.to_owned())
            .send()
            .await
            .unwrap()
    }

    pub async fn post_auth(&self, path: &str, token: &str, body: &Value) -> Response {
        self.client.post(self.url(path)).bearer_auth(token).json(body).send().await.unwrap()
    }

    pub async fn get_auth(&self, path: &str, token: &str) -> Response {
        self.client.get(self.url(path)).bearer_auth(token).send().await.unwrap()
    }

    /// Register through register-simple; each call makes a distinct account.
    pub async fn register(&self) -> Account {
        let n: u32 = rand::random::<u32>() % 10_000_000;
        let account = Account {
            id: 0,
            email: format!("user{n}@example.com"),
            phone: format!("0912{n:07}"),
            password: format!("pass-{n}-word"),
        };
        let response = self
            .post(
                "/api/user/register-simple",
                &json!({"name": "کاربر آزمایشی", "email": account.email, "phone": account.phone, "password": account.password}),
            )
            .await;
        let body = expect_status(response, StatusCode::CREATED).await;
        Account { id: body["user"]["id"].as_i64().unwrap(), ..account }
    }

    pub async fn login(&self, account: &Account) -> Session {
        let response =
            self.post("/api/user/login", &json!({"email": account.email, "password": account.password})).await;
        let body = expect_status(response, StatusCode::OK).await;
        Session {
            access_token: body["accessToken"].as_str().unwrap().to_owned(),
            refresh_token: body["refreshToken"].as_str().unwrap().to_owned(),
        }
    }

    pub async fn send_auth(&self, method: reqwest::Method, path: &str, token: &str, body: &Value) -> Response {
        self.client.request(method, self.url(path)).bearer_auth(token).json(body).send().await.unwrap()
    }

    pub async fn put_auth(&self, path: &str, token: &str, body: &Value) -> Response {
        self.send_auth(reqwest::Method::PUT, path, token, body).await
    }

    pub async fn patch_auth(&self, path: &str, token: &str, body: &Value) -> Response {
        self.send_auth(reqwest::Method::PATCH, path, token, body).await
    }

    pub async fn delete_auth(&self, path: &str, token: &str) -> Response {
        self.client.delete(self.url(path)).bearer_auth(token).send().await.unwrap()
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    /// A fresh account, logged in.
    pub async fn user(&self) -> (Account, Session) {
        let account = self.register().await;
        let session = self.login(&account).await;
        (account, session)
    }

    /// A fresh account with this role (`ADMIN`, `SUPER_ADMIN`), logged in.
    pub async fn staff(&self, role: &str) -> (Account, Session) {
        let account = self.register().await;
        sqlx::query("UPDATE users SET role = ? WHERE id = ?")
            .bind(role)
            .bind(account.id)
            .execute(&self.db)
            .await
            .unwrap();
        let session = self.login(&account).await;
        (account, session)
    }

    /// A package made through the API by an administrator; its id.
    pub async fn create_package(&self, admin_token: &str, price: i64, duration: i64, message_limit: i64) -> i64 {
        let body = json!({
            "title": format!("بسته {message_limit} پیامی"),
            "description": "برای آزمایش",
            "price": price,
            "duration": duration,
            "category": "standard",
            "messageLimit": message_limit,
        });
        let created =
            expect_status(self.post_auth("/api/packages", admin_token, &body).await, StatusCode::CREATED).await;
        created["package"]["id"].as_i64().unwrap()
    }

    /// An order of the package by the session's user; its id.
    pub async fn create_order(&self, token: &str, package_id: i64) -> i64 {
        let created = expect_status(
            self.post_auth("/api/orders", token, &json!({"packageId": package_id})).await,
            StatusCode::CREATED,
        )
        .await;
        created["order"]["id"].as_i64().unwrap()
    }

    /// Start a payment for the order: (authority, paymentUrl).
    pub async fn request_payment(&self, token: &str, order_id: i64) -> (String, String) {
        let body = expect_status(
            self.post_auth("/api/payments/request", token, &json!({"orderId": order_id})).await,
            StatusCode::OK,
        )
        .await;
        (body["authority"].as_str().unwrap().to_owned(), body["paymentUrl"].as_str().unwrap().to_owned())
    }

    /// The `Location` a GET of this absolute URL redirects to.
    pub async fn redirect_of(&self, url: &str) -> String {
        let response = self.client.get(url).send().await.unwrap();
        assert!(response.status().is_redirection(), "{url} answered {}", response.status());
        response.headers()["location"].to_str().unwrap().to_owned()
    }

    /// A campaign row for the user (the campaigns API is another area's);
    /// its id.
    pub async fn insert_campaign(&self, user_id: i64, status: &str) -> i64 {
        let done = sqlx::query("INSERT INTO campaigns (user_id, message, status) VALUES (?, 'سلام', ?)")
            .bind(user_id)
            .bind(status)
            .execute(&self.db)
            .await
            .unwrap();
        done.last_insert_id() as i64
    }

    pub async fn set_status(&self, user_id: i64, status: &str) {
        sqlx::query("UPDATE users SET status = ? WHERE id = ?")
            .bind(status)
            .bind(user_id)
            .execute(&self.db)
            .await
            .unwrap();
    }

    pub async fn count(&self, table: &str) -> i64 {
        sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}")).fetch_one(&self.db).await.unwrap()
    }
}

/// Assert the status and return the JSON body (printed when it differs).
pub async fn expect_status(response: Response, status: StatusCode) -> Value {
    let actual = response.status();
    let text = response.text().await.unwrap();
    assert_eq!(actual, status, "unexpected status; body: {text}");
    serde_json::from_str(&text).unwrap_or_else(|_| panic!("body is not JSON: {text}"))
}

/// Assert an error envelope with this status and code; returns it.
pub async fn expect_error(response: Response, status: StatusCode, code: &str) -> Value {
    let body = expect_status(response, status).await;
    assert_eq!(body["success"], false, "{body}");
    assert_eq!(body["code"], code, "{body}");
    assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
    body
}

/// The first run of exactly six ASCII digits in a text.
pub fn six_digits(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    (0..bytes.len().saturating_sub(5)).find_map(|i| {
        let run = &bytes[i..i + 6];
        let bounded =
            (i == 0 || !bytes[i - 1].is_ascii_digit()) && bytes.get(i + 6).is_none_or(|b| !b.is_ascii_digit());
        (bounded && run.iter().all(u8::is_ascii_digit)).then(|| String::from_utf8(run.to_vec()).unwrap())
    })
}

/// Stand in for a sender: take the first command off the fleet's shared
/// queue and act on it with `show` (store the QR the page would show), while
/// the request under test waits for it.
pub fn stand_in_sender<F, Fut, T>(app: &TestApp, show: F) -> tokio::task::JoinHandle<T>
where
    F: FnOnce(MySqlPool, Value) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = T> + Send,
    T: Send + 'static,
{
    let db = app.db.clone();
    let queues = app.ctx.queues.clone();
    tokio::spawn(async move {
        loop {
            let received = queues.receive(queues.sessions_url(), 1, 1).await.unwrap();
            if let Some(message) = received.first() {
                return show(db, serde_json::from_str(&message.body).unwrap()).await;
            }
        }
    })
}
