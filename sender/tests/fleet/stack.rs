//! Starting the whole system for one test, and the steps a user takes.

use std::{
    collections::HashMap,
    net::SocketAddr,
    path::PathBuf,
    process::{Child, Command},
    time::{Duration, Instant},
};

use futures_util::StreamExt;
use serde_json::{json, Value};
use shared::{config::Settings, AppContext};
use sqlx::MySqlPool;
use tokio::net::TcpStream;
use tokio_tungstenite::{connect_async, tungstenite::Message, MaybeTlsStream, WebSocketStream};
use wa_simulator::{Markup, RunningSimulator, SimulatorConfig};

pub type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

pub struct Stack {
    pub api: String,
    pub db: MySqlPool,
    pub http: reqwest::Client,
    pub simulator: RunningSimulator,
    pub sessions_queue: String,
    pub dead_letter_queue: String,
    pub sqs: aws_sdk_sqs::Client,
    pub s3: aws_sdk_s3::Client,
    env: HashMap<String, String>,
    senders: Vec<SenderProcess>,
    /// Every sender started, killed ones included: id, ops port, profiles.
    sender_places: Vec<(String, u16, std::path::PathBuf)>,
    scratch: PathBuf,
}

pub struct SenderProcess {
    pub id: String,
    child: Child,
    /// Where its health server listens (`/metrics`, `/healthz`, `/readyz`).
    pub ops_url: String,
}

fn endpoint() -> String {
    std::env::var("AWS_ENDPOINT_URL").unwrap_or_else(|_| "http://127.0.0.1:4566".into())
}

impl Stack {
    /// The whole system against the simulator's current markup.
    pub async fn start() -> Self {
        Self::with_markup(Markup::M2026).await
    }

    pub async fn with_markup(markup: Markup) -> Self {
        Self::with_simulator(SimulatorConfig {
            delivery_delay: Duration::from_millis(100),
            ..SimulatorConfig::quick(markup)
        })
        .await
    }

    pub async fn with_simulator(simulator: SimulatorConfig) -> Self {
        let server = std::env::var("TEST_DATABASE_URL").unwrap_or_else(|_| "mysql://root@127.0.0.1:3306".into());
        Self::on_database_server(simulator, &server).await
    }

    /// The whole system on the MariaDB server at `server`
    /// (`mysql://user@host:port`), e.g. one the test restarts.
    pub async fn on_database_server(simulator: SimulatorConfig, server: &str) -> Self {
        Self::on_parts(simulator, server, &endpoint()).await
    }

    /// The whole system against the AWS emulator at `aws_endpoint`, e.g.
    /// one the test restarts.
    pub async fn on_aws_endpoint(simulator: SimulatorConfig, aws_endpoint: &str) -> Self {
        let server = std::env::var("TEST_DATABASE_URL").unwrap_or_else(|_| "mysql://root@127.0.0.1:3306".into());
        Self::on_parts(simulator, &server, aws_endpoint).await
    }

    async fn on_parts(simulator: SimulatorConfig, server: &str, aws_endpoint: &str) -> Self {
        // The gateway's logs show with a failing test's output.
        let _ = tracing_subscriber::fmt().with_env_filter("warn").with_test_writer().try_init();
        let born = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
        let unique = uuid::Uuid::new_v4().simple().to_string();
        let db_name = format!("test_{born}_{unique}");
        let admin = MySqlPool::connect(server).await.expect("MariaDB reachable");
        sqlx::query(&format!("CREATE DATABASE `{db_name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"))
            .execute(&admin)
            .await
            .unwrap();

        let sdk = shared::aws::sdk_config(&shared::config::AwsSettings {
            region: "us-east-1".into(),
            endpoint_url: Some(aws_endpoint.to_owned()),
            s3_bucket: String::new(),
            ws_management_endpoint: None,
            sessions_queue_url: String::new(),
            queues_create: shared::config::QueueCreation::Auto,
        })
        .await;
        let sqs = aws_sdk_sqs::Client::new(&sdk);
        let short = &unique[..12];
        let dead_letters = create_queue(&sqs, &format!("t-{short}-dlq"), None).await;
        let dead_letter_arn = queue_arn(&sqs, &dead_letters).await;
        let sessions = create_queue(&sqs, &format!("t-{short}-sessions"), Some(&dead_letter_arn)).await;
        let bucket = format!("test-{unique}");
        let s3 = aws_sdk_s3::Client::from_conf(aws_sdk_s3::config::Builder::from(&sdk).force_path_style(true).build());
        s3.create_bucket().bucket(&bucket).send().await.unwrap();

        let simulator = RunningSimulator::start(simulator).await.unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let api = format!("http://{}", listener.local_addr().unwrap());
        let env: HashMap<String, String> = [
            ("DATABASE_URL", format!("{server}/{db_name}")),
            ("JWT_SECRET", format!("e2e-secret-{unique}")),
            ("AWS_ENDPOINT_URL", aws_endpoint.to_owned()),
            ("AWS_REGION", "us-east-1".into()),
            ("AWS_ACCESS_KEY_ID", "local".into()),
            ("AWS_SECRET_ACCESS_KEY", "local".into()),
            ("S3_BUCKET", bucket),
            ("SQS_SESSIONS_QUEUE_URL", sessions.clone()),
            ("SQS_INBOX_DLQ_ARN", dead_letter_arn.clone()),
            ("SQS_INBOX_PREFIX", format!("t-{short}-inbox")),
            ("SQS_MAX_RECEIVES", "3".into()),
            ("SQS_VISIBILITY_TIMEOUT_SECONDS", "2".into()),
            ("WS_MANAGEMENT_ENDPOINT", api.clone()),
            ("PAYMENT_GATEWAY", "mock".into()),
            ("PAYMENT_CALLBACK_BASE_URL", api.clone()),
            ("RATE_LIMIT_MAX", "100000".into()),
            ("WHATSAPP_URL", simulator.base_url().to_owned()),
            ("LEASE_TTL_SECONDS", "4".into()),
            ("HEARTBEAT_SECONDS", "1".into()),
            // The sender watches a message's ticks only during the pause
            // after it; the page polls its state every 500 ms, so the pause
            // must outlast delivery delay + one poll for ticks to be seen.
            ("SEND_INTERVAL_OVERRIDE_MS", "800".into()),
            // The send governor's time, compressed like the interval: short
            // breaks and typing, and any hour of the day may send.
            ("GOVERNOR_BREAK_MS", "1000-2000".into()),
            ("TYPING_MS", "150-400".into()),
            ("SEND_WINDOW_DEFAULT", "none".into()),
            // Messages leave seconds apart here, not minutes: the hourly cap
            // (and its quarter-hour share) and the cold budget would stop
            // most tests. Tests of those rules set them back.
            ("GOVERNOR_HOURLY_CAP", "100000".into()),
            ("GOVERNOR_COLD_DAILY_CAP", "100000".into()),
            ("SHUTDOWN_GRACE_SECONDS", "20".into()),
            ("RUST_LOG", "info,sender=debug".into()),
            ("LOG_FORMAT", "json".into()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        let settings = Settings::from_map(&env).unwrap();
        let db = shared::db::connect(&settings.database_url, 5).await.unwrap();
        shared::db::migrate(&db).await.unwrap();
        let ctx = AppContext::with_pool(settings, db.clone()).await.unwrap();
        let app = functions::gateway::app(ctx);
        tokio::spawn(
            async move { axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await },
        );
        let scratch = std::env::temp_dir().join(format!("wa-e2e-{short}"));
        std::fs::create_dir_all(&scratch).unwrap();
        Self {
            api,
            db,
            http: reqwest::Client::new(),
            simulator,
            sessions_queue: sessions,
            dead_letter_queue: dead_letters,
            sqs,
            s3,
            env,
            senders: Vec::new(),
            sender_places: Vec::new(),
            scratch,
        }
    }

    /// Sets (or replaces) a variable for the senders started from now on.
    pub fn set_sender_env(&mut self, name: &str, value: &str) {
        self.env.insert(name.to_owned(), value.to_owned());
    }

    /// The bucket the senders write to.
    pub fn bucket(&self) -> &str {
        &self.env["S3_BUCKET"]
    }

    /// Start one more `sender` process.
    pub fn spawn_sender(&mut self, name: &str) -> String {
        let id = format!("{name}-{}", &uuid::Uuid::new_v4().simple().to_string()[..6]);
        let profiles = self.scratch.join(&id);
        let ops_port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        self.spawn_sender_at(id, ops_port, profiles)
    }

    /// Start a sender in the place of `previous` (most likely one just
    /// killed): the same ops port and profile directory, as a supervisor
    /// restarting it on the same host would.
    pub fn spawn_sender_in_place_of(&mut self, previous: &str, name: &str) -> String {
        let place = self.sender_places.iter().find(|(id, ..)| id == previous).expect("a sender of this test");
        let (ops_port, profiles) = (place.1, place.2.clone());
        let id = format!("{name}-{}", &uuid::Uuid::new_v4().simple().to_string()[..6]);
        self.spawn_sender_at(id, ops_port, profiles)
    }

    /// A sender's ops port (its `/healthz`).
    pub fn ops_port(&self, id: &str) -> u16 {
        self.sender_places.iter().find(|(sender, ..)| sender == id).expect("a sender of this test").1
    }

    fn spawn_sender_at(&mut self, id: String, ops_port: u16, profiles: std::path::PathBuf) -> String {
        let log = std::fs::File::create(self.scratch.join(format!("{id}.log"))).unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_sender"))
            .envs(&self.env)
            .env("SENDER_OPS_PORT", ops_port.to_string())
            .env("SENDER_ID", &id)
            .env("SENDER_PROFILE_DIR", &profiles)
            .env("SENDER_MAX_SESSIONS", self.env.get("SENDER_MAX_SESSIONS").map_or("3", String::as_str))
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("the sender binary runs");
        let ops_url = format!("http://127.0.0.1:{ops_port}");
        self.sender_places.push((id.clone(), ops_port, profiles.clone()));
        self.senders.push(SenderProcess { id: id.clone(), child, ops_url });
        id
    }

    /// The base URL of a sender's health server.
    pub fn ops_url(&self, id: &str) -> String {
        self.senders.iter().find(|s| s.id == id).expect("a sender of this test").ops_url.clone()
    }

    /// kill -9: the process and its browsers die at once, as a lost machine would.
    pub fn kill_sender(&mut self, id: &str) {
        let index = self.senders.iter().position(|s| s.id == id).expect("a sender of this test");
        let mut sender = self.senders.remove(index);
        let _ = sender.child.kill();
        let _ = sender.child.wait();
        kill_matching(&self.scratch.join(id));
    }

    /// kill -9 of the sender process alone, as the kernel's OOM killer or a
    /// crashed host supervisor would: nothing of the test cleans up after
    /// it. Returns the processes that ran under it at that moment.
    pub fn kill_sender_alone(&mut self, id: &str) -> Vec<u32> {
        let index = self.senders.iter().position(|s| s.id == id).expect("a sender of this test");
        let mut sender = self.senders.remove(index);
        let descendants = descendants(sender.child.id());
        let _ = sender.child.kill();
        let _ = sender.child.wait();
        descendants
    }

    /// The processes whose command line mentions this sender's profiles.
    pub fn processes_on_profiles_of(&self, id: &str) -> Vec<u32> {
        processes_mentioning(&self.scratch.join(id))
    }

    /// SIGTERM, then wait for the drain to finish.
    pub fn terminate_sender(&mut self, id: &str) -> std::process::ExitStatus {
        let index = self.senders.iter().position(|s| s.id == id).expect("a sender of this test");
        let mut sender = self.senders.remove(index);
        unsafe { libc::kill(sender.child.id() as i32, libc::SIGTERM) };
        let deadline = Instant::now() + Duration::from_secs(40);
        loop {
            if let Some(status) = sender.child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "the sender did not exit after SIGTERM");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Wait (up to `within`) for a sender to exit by itself; its status.
    pub fn wait_for_sender_exit(&mut self, id: &str, within: Duration) -> std::process::ExitStatus {
        let index = self.senders.iter().position(|s| s.id == id).expect("a sender of this test");
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = self.senders[index].child.try_wait().unwrap() {
                self.senders.remove(index);
                return status;
            }
            assert!(Instant::now() < deadline, "the sender did not exit within {within:?}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Whether a sender of this test is still running.
    pub fn sender_alive(&mut self, id: &str) -> bool {
        self.senders.iter_mut().find(|s| s.id == id).is_some_and(|s| s.child.try_wait().unwrap().is_none())
    }

    pub fn sender_log(&self, id: &str) -> String {
        std::fs::read_to_string(self.scratch.join(format!("{id}.log"))).unwrap_or_default()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.api)
    }

    pub async fn call(&self, method: reqwest::Method, path: &str, token: &str, body: Option<Value>) -> (u16, Value) {
        let mut request = self.http.request(method, self.url(path)).bearer_auth(token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// A user with a paid package (through the MOCK gateway's real
    /// request → callback → verify path); returns the access token.
    pub async fn customer_with_package(&self) -> String {
        let body =
            json!({"name": "مشتری", "email": "buyer@example.com", "phone": "09121112233", "password": "buyer-pass-1"});
        let registered = self.http.post(self.url("/api/user/register-simple")).json(&body).send().await.unwrap();
        assert_eq!(registered.status(), 201);
        let login = json!({"email": "buyer@example.com", "password": "buyer-pass-1"});
        let login: Value =
            self.http.post(self.url("/api/user/login")).json(&login).send().await.unwrap().json().await.unwrap();
        let token = login["accessToken"].as_str().unwrap().to_owned();
        let package = sqlx::query(
            "INSERT INTO packages (title, description, price, duration, category, message_limit) VALUES ('پایه', 'd', 100000, 30, 'c', 1000)",
        )
        .execute(&self.db)
        .await
        .unwrap()
        .last_insert_id();
        let (status, order) =
            self.call(reqwest::Method::POST, "/api/orders", &token, Some(json!({"packageId": package}))).await;
        assert_eq!(status, 201, "{order}");
        let order_id = order["order"]["id"].as_i64().unwrap();
        let (status, payment) =
            self.call(reqwest::Method::POST, "/api/payments/request", &token, Some(json!({"orderId": order_id}))).await;
        assert_eq!(status, 200, "{payment}");
        let no_redirects = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        let callback = no_redirects.get(payment["paymentUrl"].as_str().unwrap()).send().await.unwrap();
        assert!(callback.status().is_redirection(), "{}", callback.status());
        let (_, subscription) = self.call(reqwest::Method::GET, "/api/campaigns/subscription", &token, None).await;
        assert_eq!(subscription["subscription"]["isActive"], true, "{subscription}");
        token
    }

    pub async fn websocket(&self, campaign_id: i64, token: &str) -> Socket {
        let url =
            format!("{}/ws/campaigns?campaignId={campaign_id}&token={token}", self.api.replace("http://", "ws://"));
        connect_async(url).await.expect("WebSocket accepted").0
    }
}

impl Drop for Stack {
    fn drop(&mut self) {
        for sender in &mut self.senders {
            let _ = sender.child.kill();
            let _ = sender.child.wait();
        }
        kill_matching(&self.scratch);
        let _ = std::fs::remove_dir_all(&self.scratch);
    }
}

/// Kill every process whose command line mentions `path` (the browsers and
/// chromedriver a killed sender leaves behind).
fn kill_matching(path: &std::path::Path) {
    for pid in processes_mentioning(path) {
        unsafe { libc::kill(pid as i32, libc::SIGKILL) };
    }
}

/// Running processes (not zombies) whose command line mentions `path`.
fn processes_mentioning(path: &std::path::Path) -> Vec<u32> {
    let needle = path.to_string_lossy().into_owned();
    all_processes()
        .into_iter()
        .filter(|&(pid, _)| {
            let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
            String::from_utf8_lossy(&cmdline).contains(&needle)
        })
        .map(|(pid, _)| pid)
        .collect()
}

/// Every running process with its parent, from `/proc`.
fn all_processes() -> Vec<(u32, u32)> {
    let Ok(entries) = std::fs::read_dir("/proc") else { return Vec::new() };
    entries
        .flatten()
        .filter_map(|entry| {
            let pid: u32 = entry.file_name().to_string_lossy().parse().ok()?;
            let stat = std::fs::read_to_string(entry.path().join("stat")).ok()?;
            let mut fields = stat[stat.rfind(')')? + 1..].split_whitespace();
            let state = fields.next()?;
            let parent = fields.next()?.parse().ok()?;
            (state != "Z" && state != "X").then_some((pid, parent))
        })
        .collect()
}

/// The processes under `pid` (children, their children, …).
fn descendants(pid: u32) -> Vec<u32> {
    let links = all_processes();
    let mut found = vec![pid];
    let mut next = 0;
    while next < found.len() {
        let parent = found[next];
        found.extend(links.iter().filter(|(_, pp)| *pp == parent).map(|(p, _)| *p));
        next += 1;
    }
    found.remove(0);
    found
}

/// Whether `pid` still runs (a zombie has exited).
pub fn process_alive(pid: u32) -> bool {
    all_processes().iter().any(|&(p, _)| p == pid)
}

async fn create_queue(sqs: &aws_sdk_sqs::Client, name: &str, dead_letter_arn: Option<&str>) -> String {
    let mut request =
        sqs.create_queue().queue_name(name).attributes(aws_sdk_sqs::types::QueueAttributeName::VisibilityTimeout, "2");
    if let Some(arn) = dead_letter_arn {
        let redrive = json!({"deadLetterTargetArn": arn, "maxReceiveCount": "3"}).to_string();
        request = request.attributes(aws_sdk_sqs::types::QueueAttributeName::RedrivePolicy, redrive);
    }
    request.send().await.unwrap().queue_url.unwrap()
}

async fn queue_arn(sqs: &aws_sdk_sqs::Client, url: &str) -> String {
    let attributes = sqs
        .get_queue_attributes()
        .queue_url(url)
        .attribute_names(aws_sdk_sqs::types::QueueAttributeName::QueueArn)
        .send()
        .await
        .unwrap();
    attributes.attributes().unwrap()[&aws_sdk_sqs::types::QueueAttributeName::QueueArn].clone()
}

/// The next JSON event on the socket, within `wait`.
pub async fn next_event(socket: &mut Socket, wait: Duration) -> Option<Value> {
    let deadline = Instant::now() + wait;
    loop {
        let left = deadline.checked_duration_since(Instant::now())?;
        match tokio::time::timeout(left, socket.next()).await {
            Ok(Some(Ok(Message::Text(text)))) => return serde_json::from_str(&text).ok(),
            Ok(Some(Ok(_))) => continue,
            _ => return None,
        }
    }
}

/// Events until one of type `kind` arrives (all of them, that one last).
pub async fn events_until(socket: &mut Socket, kind: &str, wait: Duration) -> Vec<Value> {
    let deadline = Instant::now() + wait;
    let mut seen = Vec::new();
    while let Some(event) = next_event(socket, deadline.saturating_duration_since(Instant::now())).await {
        let done = event["type"] == kind;
        seen.push(event);
        if done {
            return seen;
        }
    }
    panic!("no {kind} event within {wait:?}; saw {seen:?}");
}

/// Poll `check` until it yields a value.
pub async fn eventually<T, F, Fut>(what: &str, wait: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + wait;
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
