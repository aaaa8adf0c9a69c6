//! Command-to-pickup latency: from a command landing on the shared sessions
//! queue to a sender holding the number's lease (its session opened), through the real stack
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

    // A live lease on the number's session: the sender has taken it up.
    let live = |account: i64| {
        let db = stack.db.clone();
        async move {
            sqlx::query_scalar::<_, i64>(
                "SELECT COUNT(*) FROM whatsapp_sessions WHERE account_id = ? AND expires_at > CURRENT_TIMESTAMP(3)",
            )
            .bind(account)
            .fetch_one(&db)
            .await
            .map(|n| n == 1)
        }
    };
    let mut samples = Vec::with_capacity(ROUNDS);
    for _ in 0..ROUNDS {
        // A number being linked: the command opens its session (a QR page).
        let account = sqlx::query("INSERT INTO whatsapp_accounts (user_id, status) VALUES (?, 'LINKING')")
            .bind(user)
            .execute(&stack.db)
            .await?
            .last_insert_id() as i64;
        let sent = Instant::now();
        queues.send(queues.sessions_url(), &Command::for_account(CommandKind::Open, account)).await?;
        while !live(account).await? {
            anyhow::ensure!(sent.elapsed() < Duration::from_secs(30), "no pickup within 30 s");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        samples.push(sent.elapsed());
        // Remove the number again (nothing was scanned: the session only
        // forgets it) so the sender keeps room.
        queues.send(queues.sessions_url(), &Command::for_account(CommandKind::LogOut, account)).await?;
        stack::eventually("the session to close", Duration::from_secs(30), || async {
            (!live(account).await.ok()?).then_some(())
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
