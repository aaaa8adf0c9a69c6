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

/// Link once: sessions saved per campaign become WhatsApp accounts on
/// migration — a campaign with a saved login gets a number (whose digits the
/// sender reads from the page later), a campaign already tied to a number
/// hands its login to it, and nothing linked is lost.
#[tokio::test]
async fn per_campaign_sessions_become_accounts_with_their_saved_logins() {
    use std::borrow::Cow;

    use shared::db::MIGRATOR;
    use sqlx::migrate::Migrator;

    const LINK_ONCE: i64 = 20261203000100;
    let server = server_url();
    let admin = connect_lazy(&server, 1).unwrap();
    let name = format!("test_{}_{}", chrono::Utc::now().timestamp(), uuid::Uuid::new_v4().simple());
    sqlx::query(&format!("CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"))
        .execute(&admin)
        .await
        .unwrap();
    let db = connect_lazy(&format!("{server}/{name}"), 2).unwrap();
    let before = Migrator {
        migrations: Cow::Owned(MIGRATOR.iter().filter(|m| m.version < LINK_ONCE).cloned().collect()),
        ignore_missing: false,
        locking: true,
        no_tx: false,
    };
    before.run(&db).await.unwrap();

    let exec = |sql: &'static str| {
        let db = db.clone();
        async move { sqlx::query(sql).execute(&db).await.unwrap().last_insert_id() as i64 }
    };
    exec("INSERT INTO users (id, name, email, phone, password_hash) VALUES (7, 'u', 'u@example.com', '09120000000', 'x')")
        .await;
    // 1: saved login, no number yet; 2 and 3: the same number, 3's login newer; 4: no saved login.
    exec("INSERT INTO campaigns (id, user_id, message) VALUES (1, 7, 'a'), (2, 7, 'b'), (3, 7, 'c'), (4, 7, 'd')")
        .await;
    exec("INSERT INTO whatsapp_accounts (id, user_id, phone) VALUES (50, 7, '989121111111')").await;
    exec("UPDATE campaigns SET whatsapp_account_id = 50 WHERE id IN (2, 3)").await;
    exec(
        "INSERT INTO session_leases (campaign_id, sender_id, inbox_url, expires_at, acquired_at, fencing, snapshot_key) VALUES \
         (1, 's', 'q', NOW(3), NOW(3) - INTERVAL 3 HOUR, 2, 'campaigns/1/session/profile.tar.gz'), \
         (2, 's', 'q', NOW(3), NOW(3) - INTERVAL 2 HOUR, 1, 'campaigns/2/session/profile.tar.gz'), \
         (3, 's', 'q', NOW(3), NOW(3) - INTERVAL 1 HOUR, 1, 'campaigns/3/session/profile.tar.gz'), \
         (4, 's', 'q', NOW(3), NOW(3), 1, NULL)",
    )
    .await;

    MIGRATOR.run(&db).await.unwrap();

    let accounts: Vec<(i64, Option<String>, String)> =
        sqlx::query_as("SELECT id, phone, CAST(status AS CHAR) FROM whatsapp_accounts ORDER BY id")
            .fetch_all(&db)
            .await
            .unwrap();
    assert_eq!(accounts.len(), 2, "{accounts:?}");
    let first: Option<i64> =
        sqlx::query_scalar("SELECT whatsapp_account_id FROM campaigns WHERE id = 1").fetch_one(&db).await.unwrap();
    let first = first.expect("campaign 1 got a number");
    assert!(accounts.contains(&(first, None, "CONNECTED".into())), "{accounts:?}");
    assert!(accounts.contains(&(50, Some("989121111111".into()), "CONNECTED".into())), "{accounts:?}");
    let sessions: Vec<(i64, Option<String>)> =
        sqlx::query_as("SELECT account_id, snapshot_key FROM whatsapp_sessions ORDER BY account_id")
            .fetch_all(&db)
            .await
            .unwrap();
    assert_eq!(
        sessions,
        [
            (50, Some("campaigns/3/session/profile.tar.gz".into())),
            (first, Some("campaigns/1/session/profile.tar.gz".into()))
        ]
    );
    let fourth: Option<i64> =
        sqlx::query_scalar("SELECT whatsapp_account_id FROM campaigns WHERE id = 4").fetch_one(&db).await.unwrap();
    assert_eq!(fourth, None, "nothing was linked for it");
    sqlx::query(&format!("DROP DATABASE `{name}`")).execute(&admin).await.unwrap();
}
