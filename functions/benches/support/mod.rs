//! What the benchmarks share: a scratch database (migrated, dropped
//! afterwards), the application context on it, and printing figures.

use std::{collections::HashMap, future::Future, time::Duration};

use shared::AppContext;

/// Run `bench` against a fresh, migrated database on TEST_DATABASE_URL's
/// server, with the benchmark's extra settings; the database is dropped
/// afterwards whatever happens.
pub async fn with_scratch_app<F, Fut>(extra: &[(&str, String)], bench: F) -> anyhow::Result<()>
where
    F: FnOnce(AppContext) -> Fut,
    Fut: Future<Output = anyhow::Result<()>>,
{
    let server = std::env::var("TEST_DATABASE_URL").unwrap_or_else(|_| "mysql://root@127.0.0.1:3306".into());
    let db_name = format!("bench_{}", uuid::Uuid::new_v4().simple());
    let admin = sqlx::MySqlPool::connect(&server).await?;
    sqlx::query(&format!("CREATE DATABASE `{db_name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"))
        .execute(&admin)
        .await?;
    let result = async {
        let mut env: HashMap<String, String> = HashMap::from([
            ("DATABASE_URL".into(), format!("{server}/{db_name}")),
            ("JWT_SECRET".into(), "bench-secret-bench-secret-bench-secret".into()),
            ("S3_BUCKET".into(), "bench-unused".into()),
            ("SQS_SESSIONS_QUEUE_URL".into(), "http://127.0.0.1:4566/000000000000/bench-unused".into()),
        ]);
        env.extend(extra.iter().map(|(k, v)| ((*k).to_owned(), v.clone())));
        let settings = shared::config::Settings::from_map(&env)?;
        let pool = shared::db::connect(&settings.database_url, 10).await?;
        shared::db::migrate(&pool).await?;
        bench(AppContext::with_pool(settings, pool).await?).await
    }
    .await;
    sqlx::query(&format!("DROP DATABASE `{db_name}`")).execute(&admin).await?;
    result
}

/// One line of figures: count, p50, p99 and max in milliseconds.
#[allow(dead_code)] // not every benchmark reports latencies
pub fn report(what: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let pick = |q: f64| samples[((samples.len() as f64 * q).ceil() as usize).clamp(1, samples.len()) - 1];
    println!(
        "{what:<24} n={:<6} p50={:>8.2} ms  p99={:>8.2} ms  max={:>8.2} ms",
        samples.len(),
        pick(0.50).as_secs_f64() * 1e3,
        pick(0.99).as_secs_f64() * 1e3,
        samples.last().unwrap().as_secs_f64() * 1e3,
    );
}
