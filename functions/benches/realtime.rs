//! Push latency: from the SDK `PostToConnection` fan-out starting to each
//! WebSocket client holding the event, through the real local gateway (its
//! WebSocket emulation and management API) on loopback, for 1 and for 200
//! clients following one campaign. Target: p99 ≤ 50 ms with 200 clients.
//!
//! Run: `infra/dev.sh bench`.

use std::{net::SocketAddr, time::Instant};

use futures_util::StreamExt;
use shared::realtime::{CampaignEvent, Progress};
use tokio_tungstenite::connect_async;

mod support;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // Bound first: the app pushes to its own management endpoint.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    let extra = [("WS_MANAGEMENT_ENDPOINT", format!("http://{address}")), ("RATE_LIMIT_MAX", "1000000".to_string())];
    support::with_scratch_app(&extra, |ctx| run(ctx, listener, address)).await
}

async fn run(ctx: shared::AppContext, listener: tokio::net::TcpListener, address: SocketAddr) -> anyhow::Result<()> {
    let pool = ctx.db.clone();
    let app = functions::gateway::app(ctx.clone());
    tokio::spawn(async move { axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await });

    let password_hash = shared::auth::password::hash_blocking("bench-pass-1")?;
    let user_id = sqlx::query(
        "INSERT INTO users (name, email, phone, password_hash) VALUES ('b', 'b@example.com', '989120000000', ?)",
    )
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
            let (arrivals, pushed) =
                tokio::join!(futures_util::future::join_all(receivers), ctx.pusher.push(campaign, &event));
            assert_eq!(pushed.delivered, clients, "every client reached");
            samples.extend(arrivals);
        }
        support::report(&format!("push → {clients} client(s)"), samples);
        for mut socket in sockets {
            let _ = socket.close(None).await;
        }
    }
    Ok(())
}
