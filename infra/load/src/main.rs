//! The load test: virtual users against the local gateway, as
//! `infra/dev.sh bench` runs it. Each user signs up and signs in once, then
//! lists its campaigns, reads a campaign's report and imports a 1,000-row
//! recipient list, weighted as a busy console would be. At the end it prints
//! p50/p95/p99 per endpoint, the errors, the 5xx count and the gateway's
//! memory before and after, and fails (exit 1) on any 5xx or if the gateway
//! grew past 1.5× its starting memory.
//!
//! Settings (environment; goose's own flags also work): `LOAD_HOST`
//! (`http://127.0.0.1:3000`), `LOAD_USERS` (300), `LOAD_SECONDS` (120),
//! `LOAD_GATEWAY_PID` (the gateway whose memory is read from /proc).

use std::{
    collections::BTreeMap,
    sync::atomic::{AtomicU64, Ordering},
};

use goose::{
    goose::GooseMethod,
    metrics::{GooseMetrics, GooseRequestMetricTimingData},
    prelude::*,
};
use serde_json::{json, Value};

/// A user's credentials and campaign, kept between its transactions.
struct Session {
    token: String,
    campaign_id: i64,
}

static NEXT_USER: AtomicU64 = AtomicU64::new(0);

/// Rows per imported list.
const LIST_ROWS: usize = 1_000;

fn env_or(name: &str, default: &str) -> String {
    std::env::var(name).ok().filter(|v| !v.is_empty()).unwrap_or_else(|| default.to_owned())
}

#[tokio::main]
async fn main() -> Result<(), GooseError> {
    let host = env_or("LOAD_HOST", "http://127.0.0.1:3000");
    let users: usize = env_or("LOAD_USERS", "300").parse().expect("LOAD_USERS: a whole number");
    let seconds: usize = env_or("LOAD_SECONDS", "120").parse().expect("LOAD_SECONDS: a whole number");
    let gateway = std::env::var("LOAD_GATEWAY_PID").ok().and_then(|pid| pid.parse::<u32>().ok());
    let memory_idle = gateway.and_then(resident_kib);
    // The baseline: once every user has signed in and the gateway holds its
    // working set (pools, caches); growth after that is what leaks look like.
    let ramp_up = std::time::Duration::from_secs(35);
    let warm = std::thread::spawn(move || {
        std::thread::sleep(ramp_up);
        gateway.and_then(resident_kib)
    });

    let metrics = GooseAttack::initialize()?
        .register_scenario(
            scenario!("ConsoleUser")
                .register_transaction(transaction!(sign_up_and_in).set_on_start().set_name("sign in"))
                .register_transaction(transaction!(list_campaigns).set_weight(6)?.set_name("list"))
                .register_transaction(transaction!(read_report).set_weight(3)?.set_name("report"))
                .register_transaction(transaction!(import_list).set_weight(1)?.set_name("import")),
        )
        .set_default(GooseDefault::Host, host.as_str())?
        .set_default(GooseDefault::Users, users)?
        // The whole crowd signs in within about 30 s (argon2 on 2 cores).
        .set_default(GooseDefault::HatchRate, (users as f64 / 30.0).max(1.0).to_string().as_str())?
        .set_default(GooseDefault::RunTime, seconds)?
        .set_default(GooseDefault::NoResetMetrics, true)?
        .set_default(GooseDefault::Quiet, 1)?
        .execute()
        .await?;

    let memory_after = gateway.and_then(resident_kib);
    let memory_warm = warm.join().ok().flatten();
    if let Some(idle) = memory_idle {
        println!("gateway memory (RSS) idle before the test: {} MiB", idle / 1024);
    }
    let failed = report(&metrics, memory_warm, memory_after);
    if failed {
        std::process::exit(1);
    }
    Ok(())
}

/// Prints the figures; whether the run failed its bars.
fn report(metrics: &GooseMetrics, before: Option<u64>, after: Option<u64>) -> bool {
    println!("\nload: {} users, {} s", metrics.maximum_users, metrics.duration);
    println!("{:<44} {:>8} {:>7} {:>7} {:>7} {:>7}", "endpoint", "requests", "p50 ms", "p95 ms", "p99 ms", "errors");
    let mut errors = 0;
    let mut server_errors = 0;
    let ordered: BTreeMap<_, _> = metrics.requests.iter().collect();
    for (name, request) in ordered {
        let timing = &request.raw_data;
        let fails = request.fail_count;
        errors += fails;
        server_errors +=
            request.status_code_counts.iter().filter(|(code, _)| **code >= 500).map(|(_, n)| n).sum::<usize>();
        println!(
            "{:<44} {:>8} {:>7} {:>7} {:>7} {:>7}",
            name,
            request.success_count + fails,
            percentile(timing, 0.50),
            percentile(timing, 0.95),
            percentile(timing, 0.99),
            fails
        );
    }
    println!("errors: {errors} (of which 5xx: {server_errors})");
    let mut failed = server_errors > 0;
    match (before, after) {
        (Some(before), Some(after)) => {
            let ratio = after as f64 / before as f64;
            println!(
                "gateway memory (RSS): {} MiB once all users signed in, {} MiB at the end ({ratio:.2}×)",
                before / 1024,
                after / 1024
            );
            if ratio > 1.5 {
                println!("FAIL: the gateway grew past 1.5× its starting memory");
                failed = true;
            }
        }
        _ => println!("gateway memory: not measured (set LOAD_GATEWAY_PID)"),
    }
    if server_errors > 0 {
        println!("FAIL: the gateway answered 5xx");
    }
    failed
}

/// The response time (ms) within which `share` of the requests finished.
fn percentile(timing: &GooseRequestMetricTimingData, share: f64) -> usize {
    let total: usize = timing.times.values().sum();
    if total == 0 {
        return 0;
    }
    let wanted = (total as f64 * share).ceil() as usize;
    let mut seen = 0;
    for (time, count) in &timing.times {
        seen += count;
        if seen >= wanted {
            return *time;
        }
    }
    timing.maximum_time
}

/// Resident memory of `pid` in KiB (`VmRSS` in /proc/<pid>/status).
fn resident_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status.lines().find_map(|line| line.strip_prefix("VmRSS:")?.split_whitespace().next()?.parse().ok())
}

/// JSON body of a successful answer (goose counts every other answer as a
/// failed request by its status).
async fn json_of(user: &mut GooseUser, request: GooseRequest<'_>) -> Result<Value, Box<TransactionError>> {
    let goose = user.request(request).await?;
    match goose.response {
        Ok(response) if response.status().is_success() => Ok(response.json().await.unwrap_or(Value::Null)),
        _ => Ok(Value::Null),
    }
}

fn json_request(
    user: &GooseUser,
    method: GooseMethod,
    path: &str,
    name: &'static str,
    body: Value,
) -> GooseRequest<'static> {
    let builder = user.get_request_builder(&method, path).expect("a request builder").json(&body);
    GooseRequest::builder().set_request_builder(builder).name(name).build()
}

fn authorized(user: &GooseUser, method: GooseMethod, path: &str, name: &'static str) -> GooseRequest<'static> {
    let token = &user.get_session_data_unchecked::<Session>().token;
    let builder = user.get_request_builder(&method, path).expect("a request builder").bearer_auth(token);
    GooseRequest::builder().set_request_builder(builder).name(name).build()
}

/// A new account, its login and one campaign to work on.
async fn sign_up_and_in(user: &mut GooseUser) -> TransactionResult {
    let n = NEXT_USER.fetch_add(1, Ordering::SeqCst);
    let run = std::process::id();
    let email = format!("load-{run}-{n}@example.com");
    let phone = format!("0912{:07}", (u64::from(run) * 1000 + n) % 10_000_000);
    let password = "load-test-pass-1";
    let body = json!({"name": "Load User", "email": email, "phone": phone, "password": password});
    let request = json_request(user, GooseMethod::Post, "/api/user/register-simple", "/api/user/register-simple", body);
    json_of(user, request).await?;
    let body = json!({"email": email, "password": password});
    let request = json_request(user, GooseMethod::Post, "/api/user/login", "/api/user/login", body);
    let login = json_of(user, request).await?;
    let token = login["accessToken"].as_str().unwrap_or_default().to_owned();
    user.set_session_data(Session { token, campaign_id: 0 });
    let body = json!({"title": "Load", "message": "سلام", "interval": "TEN_SECONDS"});
    let token = user.get_session_data_unchecked::<Session>().token.clone();
    let builder = user.get_request_builder(&GooseMethod::Post, "/api/campaigns")?.bearer_auth(&token).json(&body);
    let request = GooseRequest::builder().set_request_builder(builder).name("/api/campaigns").build();
    let created = json_of(user, request).await?;
    let campaign_id = created["campaign"]["id"].as_i64().unwrap_or(0);
    user.set_session_data(Session { token, campaign_id });
    Ok(())
}

async fn list_campaigns(user: &mut GooseUser) -> TransactionResult {
    let request = authorized(user, GooseMethod::Get, "/api/campaigns?page=1&limit=10", "/api/campaigns");
    json_of(user, request).await?;
    Ok(())
}

async fn read_report(user: &mut GooseUser) -> TransactionResult {
    let id = user.get_session_data_unchecked::<Session>().campaign_id;
    let path = format!("/api/campaigns/{id}/report");
    let request = authorized(user, GooseMethod::Get, &path, "/api/campaigns/{id}/report");
    json_of(user, request).await?;
    Ok(())
}

/// A 1,000-row CSV list as multipart (written by hand: one small body).
async fn import_list(user: &mut GooseUser) -> TransactionResult {
    let session = user.get_session_data_unchecked::<Session>();
    let (id, token) = (session.campaign_id, session.token.clone());
    let boundary = "load-test-boundary-7c1e";
    let mut csv = String::from("phone,name\n");
    for row in 0..LIST_ROWS {
        csv.push_str(&format!("0912{:07},Recipient {row}\n", (id as usize * 7919 + row) % 10_000_000));
    }
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"recipientsFile\"; filename=\"list.csv\"\r\n\
         Content-Type: text/csv\r\n\r\n{csv}\r\n--{boundary}--\r\n"
    );
    let path = format!("/api/campaigns/{id}/recipients");
    let builder = user
        .get_request_builder(&GooseMethod::Post, &path)?
        .bearer_auth(&token)
        .header("content-type", format!("multipart/form-data; boundary={boundary}"))
        .body(body);
    let request = GooseRequest::builder().set_request_builder(builder).name("/api/campaigns/{id}/recipients").build();
    json_of(user, request).await?;
    Ok(())
}
