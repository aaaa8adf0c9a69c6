//! Command-to-pickup latency: from a command landing on the shared sessions
//! queue to a sender holding the campaign's lease, through the real stack
//! (MariaDB, the AWS emulator's SQS, a `sender` process). Target: ≤ 1 s.
//!
//! Run: `infra/dev.sh bench` (or `cargo bench -p sender --bench pickup`).

#[path = "../tests/fleet/stack.rs"]
#[allow(dead_code)]
mod stack;

use std::time::{Duration, Instant};

use shared::queue::{Command, CommandKind, Queues};

const ROUNDS: usize = 20;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut stack = stack::Stack::start().await;
    stack.spawn_sender("bench");
    let sdk = shared::aws::sdk_config(&shared::config::AwsSettings {
        region: "us-east-1".into(),
        endpoint_url: std::env::var("AWS_ENDPOINT_URL").ok().or_else(|| Some("http://127.0.0.1:4566".into())),
        s3_bucket: String::new(),
        ws_management_endpoint: None,
        sessions_queue_url: stack.sessions_queue.clone(),
        queues_create: shared::config::QueueCreation::Auto,
    })
    .await;
    let queues = Queues::new(&sdk, stack.sessions_queue.clone());
    stack::eventually("the sender to register", Duration::from_secs(60), || async {
        let senders: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM senders").fetch_one(&stack.db).await.ok()?;
        (senders == 1).then_some(())
    })
    .await;
    let user = sqlx::query(
        "INSERT INTO users (name, email, phone, password_hash) VALUES ('b', 'b@example.com', '989120000000', 'x')",
    )
    .execute(&stack.db)
    .await?
    .last_insert_id() as i64;

    let mut samples = Vec::with_capacity(ROUNDS);
    for _ in 0..ROUNDS {
        let campaign = sqlx::query("INSERT INTO campaigns (user_id, message) VALUES (?, 'm')")
            .bind(user)
            .execute(&stack.db)
            .await?
            .last_insert_id() as i64;
        let sent = Instant::now();
        queues.send(queues.sessions_url(), &Command::new(CommandKind::Open, campaign)).await?;
        loop {
            let claimed: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM session_leases WHERE campaign_id = ?")
                .bind(campaign)
                .fetch_one(&stack.db)
                .await?;
            if claimed == 1 {
                break;
            }
            anyhow::ensure!(sent.elapsed() < Duration::from_secs(30), "no pickup within 30 s");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        samples.push(sent.elapsed());
        // Close the session again so the sender keeps room.
        queues.send(queues.sessions_url(), &Command::new(CommandKind::Cleanup, campaign)).await?;
        stack::eventually("the session to close", Duration::from_secs(30), || async {
            let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM session_leases WHERE campaign_id = ?")
                .bind(campaign)
                .fetch_one(&stack.db)
                .await
                .ok()?;
            (left == 0).then_some(())
        })
        .await;
    }
    samples.sort();
    let pick = |q: f64| samples[((samples.len() as f64 * q).ceil() as usize).clamp(1, samples.len()) - 1];
    println!(
        "command → pickup  n={}  p50={:.0} ms  p99={:.0} ms  max={:.0} ms",
        samples.len(),
        pick(0.5).as_secs_f64() * 1e3,
        pick(0.99).as_secs_f64() * 1e3,
        samples.last().unwrap().as_secs_f64() * 1e3
    );
    Ok(())
}
