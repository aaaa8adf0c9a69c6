//! The Lambda pool: it connects only when asked, and an idempotent read
//! survives its connection dropping under it (a proxy or database failover).

use std::sync::atomic::{AtomicU32, Ordering};

use shared::db::{connect_lazy, retry_read};

fn server_url() -> String {
    std::env::var("TEST_DATABASE_URL").unwrap_or_else(|_| "mysql://root@127.0.0.1:3306".into())
}

#[tokio::test]
async fn a_lazy_pool_opens_no_connection_until_a_query_needs_one() {
    // Nothing listens on port 1: an eager pool would fail here.
    let pool = connect_lazy("mysql://root@127.0.0.1:1/none", 2).unwrap();
    assert_eq!(pool.size(), 0);
    let pool = connect_lazy(&server_url(), 2).unwrap();
    assert_eq!(pool.size(), 0);
    let one: i32 = sqlx::query_scalar("SELECT 1").fetch_one(&pool).await.unwrap();
    assert_eq!((one, pool.size()), (1, 1));
}

#[tokio::test]
async fn a_read_whose_connection_is_killed_is_retried_once_on_a_new_connection() {
    let pool = connect_lazy(&server_url(), 1).unwrap();
    let attempts = AtomicU32::new(0);
    let answer = retry_read(|| async {
        let mut conn = pool.acquire().await?;
        if attempts.fetch_add(1, Ordering::SeqCst) == 0 {
            // The server ends this very connection, as a failover would.
            let id: u64 = sqlx::query_scalar("SELECT CONNECTION_ID()").fetch_one(&mut *conn).await?;
            sqlx::query(&format!("KILL {id}")).execute(&mut *conn).await?;
        }
        sqlx::query_scalar::<_, i32>("SELECT 42").fetch_one(&mut *conn).await
    })
    .await;
    assert_eq!(answer.unwrap(), 42);
    assert_eq!(attempts.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_failing_query_is_not_retried() {
    let pool = connect_lazy(&server_url(), 1).unwrap();
    let attempts = AtomicU32::new(0);
    let answer = retry_read(|| async {
        attempts.fetch_add(1, Ordering::SeqCst);
        sqlx::query_scalar::<_, i32>("SELECT no_such_column").fetch_one(&pool).await
    })
    .await;
    assert!(answer.is_err());
    assert_eq!(attempts.load(Ordering::SeqCst), 1);
}
