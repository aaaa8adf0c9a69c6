//! Push latency: from the SDK `PostToConnection` fan-out starting to each
//! WebSocket client holding the event, through the real local gateway (its
//! WebSocket emulation and management API) on loopback, for 1 and for 200
//! clients following one campaign. Target: p99 ≤ 50 ms with 200 clients.
//!
//! Run: `infra/dev.sh bench`.

use std::{
    net::SocketAddr,
    time::{Duration, Instant},
};

use futures_util::StreamExt;
use shared::realtime::{CampaignEvent, Progress};
use tokio_tungstenite::connect_async;

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
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    let env = std::collections::HashMap::from([
        ("DATABASE_URL".to_string(), database_url.to_string()),
        ("JWT_SECRET".to_string(), "bench-secret-bench-secret-bench-secret".to_string()),
        ("S3_BUCKET".to_string(), "bench-unused".to_string()),
        ("SQS_SESSIONS_QUEUE_URL".to_string(), "http://127.0.0.1:4566/000000000000/bench-unused".to_string()),
        ("WS_MANAGEMENT_ENDPOINT".to_string(), format!("http://{address}")),
        ("RATE_LIMIT_MAX".to_string(), "1000000".to_string()),
    ]);
    let settings = shared::config::Settings::from_map(&env)?;
    let pool = shared::db::connect(&settings.database_url, 10).await?;
    shared::db::migrate(&pool).await?;
    let ctx = shared::AppContext::with_pool(settings, pool.clone()).await?;
    let app = functions::gateway::app(ctx.clone());
    tokio::spawn(async move { axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await });

    let password_hash = shared::auth::password::hash_blocking("bench-pass-1")?;
    let user_id = sqlx::query("INSERT INTO users (name, email, phone, password_hash) VALUES ('b', 'b@example.com', '989120000000', ?)")
        .bind(password_hash)
        .execute(&pool)
        .await?
        .last_insert_id() as i64;
    let campaign = sqlx::query("INSERT INTO campaigns (user_id, message) VALUES (?, 'm')")
        .bind(user_id)
        .execute(&pool)
        .await?
        .last_insert_id() as i64;
    let token = ctx.jwt.issue(user_id, shared::domain::Role::User)?;
    let url = format!("ws://{address}/ws/campaigns?campaignId={campaign}&token={token}");

    for (clients, rounds) in [(1usize, 300usize), (200, 40)] {
        sqlx::query("DELETE FROM ws_connections").execute(&pool).await?;
        let mut sockets = Vec::with_capacity(clients);
        for _ in 0..clients {
            sockets.push(connect_async(&url).await?.0);
        }
        let mut samples = Vec::with_capacity(clients * rounds);
        let event = CampaignEvent::ProgressUpdate { progress: Progress::new(100, 1, 0, 0) };
        for _ in 0..rounds {
            let start = Instant::now();
            let receivers = sockets.iter_mut().map(|socket| async move {
                socket.next().await;
                start.elapsed()
            });
            let (arrivals, pushed) = tokio::join!(futures_util::future::join_all(receivers), ctx.pusher.push(campaign, &event));
            assert_eq!(pushed.delivered, clients, "every client reached");
            samples.extend(arrivals);
        }
        report(&format!("push → {clients} client(s)"), samples);
        for mut socket in sockets {
            let _ = socket.close(None).await;
        }
    }
    Ok(())
}

fn report(what: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let pick = |q: f64| samples[((samples.len() as f64 * q).ceil() as usize).clamp(1, samples.len()) - 1];
    println!(
        "{what:<24} n={:<6} p50={:>7.2} ms  p99={:>7.2} ms  max={:>7.2} ms",
        samples.len(),
        pick(0.50).as_secs_f64() * 1e3,
        pick(0.99).as_secs_f64() * 1e3,
        samples.last().unwrap().as_secs_f64() * 1e3,
    );
}
