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

mod support;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    support::with_scratch_app(&[], run).await
}

async fn run(ctx: shared::AppContext) -> anyhow::Result<()> {
    let app = functions::http::finish(functions::auth::router(ctx));

    let hashes: Vec<Duration> = (0..20)
        .map(|_| {
            let start = Instant::now();
            shared::auth::password::hash_blocking("bench-password-1").unwrap();
            start.elapsed()
        })
        .collect();
    support::report("argon2id hash", hashes);

    let account =
        json!({"name": "Bench", "email": "bench@example.com", "phone": "09120000000", "password": "bench-pass-1"});
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
    support::report("POST /api/user/login", logins);

    let mut profiles = Vec::with_capacity(PROFILES);
    for _ in 0..PROFILES {
        let start = Instant::now();
        let body = call(&app, "GET", "/api/user/profile", Some(&token), None).await;
        profiles.push(start.elapsed());
        assert_eq!(body["success"], true);
    }
    support::report("GET /api/user/profile", profiles);
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
