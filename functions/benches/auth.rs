//! Auth figures on this machine: argon2id hash time, and in-process p50/p99
//! for login and for GET /api/user/profile through the real router and a
//! real MariaDB (a scratch database, dropped afterwards).
//!
//! Run: `infra/dev.sh bench` (or `cargo bench -p functions --bench auth`
//! with TEST_DATABASE_URL pointing at a MySQL server).
//! Targets: hash 20–100 ms; profile p99 < 5 ms.

use std::time::{Duration, Instant};

use axum::{body::Body, http::Request, Router};
use serde_json::{json, Value};
use tower::ServiceExt;

const LOGINS: usize = 60;
const PROFILES: usize = 3000;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let server = std::env::var("TEST_DATABASE_URL").unwrap_or_else(|_| "mysql://root@127.0.0.1:3306".into());
    let db_name = format!("bench_{}", uuid::Uuid::new_v4().simple());
    let admin = sqlx::MySqlPool::connect(&server).await?;
    sqlx::query(&format!("CREATE DATABASE `{db_name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"))
        .execute(&admin)
        .await?;
    let result = run(&format!("{server}/{db_name}")).await;
    sqlx::query(&format!("DROP DATABASE `{db_name}`")).execute(&admin).await?;
    result
}

async fn run(database_url: &str) -> anyhow::Result<()> {
    let env = std::collections::HashMap::from([
        ("DATABASE_URL".to_string(), database_url.to_string()),
        ("JWT_SECRET".to_string(), "bench-secret-bench-secret-bench-secret".to_string()),
        ("S3_BUCKET".to_string(), "bench-unused".to_string()),
        ("SQS_SESSIONS_QUEUE_URL".to_string(), "http://127.0.0.1:4566/000000000000/bench-unused".to_string()),
    ]);
    let settings = shared::config::Settings::from_map(&env)?;
    let pool = shared::db::connect(&settings.database_url, 10).await?;
    shared::db::migrate(&pool).await?;
    let ctx = shared::AppContext::with_pool(settings, pool).await?;
    let app = functions::http::finish(functions::auth::router(ctx));

    let hashes: Vec<Duration> = (0..20)
        .map(|_| {
            let start = Instant::now();
            shared::auth::password::hash_blocking("bench-password-1").unwrap();
            start.elapsed()
        })
        .collect();
    report("argon2id hash", hashes);

    let account = json!({"name": "Bench", "email": "bench@example.com", "phone": "09120000000", "password": "bench-pass-1"});
    call(&app, "POST", "/api/user/register-simple", None, Some(&account)).await;
    let login_body = json!({"email": "bench@example.com", "password": "bench-pass-1"});
    let mut logins = Vec::with_capacity(LOGINS);
    let mut token = String::new();
    for _ in 0..LOGINS {
        let start = Instant::now();
        let body = call(&app, "POST", "/api/user/login", None, Some(&login_body)).await;
        logins.push(start.elapsed());
        token = body["accessToken"].as_str().expect("login works").to_owned();
    }
    report("POST /api/user/login", logins);

    let mut profiles = Vec::with_capacity(PROFILES);
    for _ in 0..PROFILES {
        let start = Instant::now();
        let body = call(&app, "GET", "/api/user/profile", Some(&token), None).await;
        profiles.push(start.elapsed());
        assert_eq!(body["success"], true);
    }
    report("GET /api/user/profile", profiles);
    Ok(())
}

async fn call(app: &Router, method: &str, path: &str, token: Option<&str>, body: Option<&Value>) -> Value {
    let mut request = Request::builder().method(method).uri(path).header("content-type", "application/json");
    if let Some(token) = token {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    let body = body.map(|b| Body::from(b.to_string())).unwrap_or_else(Body::empty);
    let response = app.clone().oneshot(request.body(body).unwrap()).await.unwrap();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

fn report(what: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let pick = |q: f64| samples[((samples.len() as f64 * q).ceil() as usize).clamp(1, samples.len()) - 1];
    println!(
        "{what:<24} n={:<5} p50={:>8.2} ms  p99={:>8.2} ms  max={:>8.2} ms",
        samples.len(),
        pick(0.50).as_secs_f64() * 1e3,
        pick(0.99).as_secs_f64() * 1e3,
        samples.last().unwrap().as_secs_f64() * 1e3,
    );
}
