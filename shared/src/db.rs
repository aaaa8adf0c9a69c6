//! The MySQL pool and the migrations.
//!
//! sqlx pins every connection's session time zone to `+00:00`, so
//! `CURRENT_TIMESTAMP(3)` and every DATETIME column are UTC.
//!
//! Two pools: [`connect`] for long-lived processes (the sender, tools),
//! which fails at start when the database is away; [`connect_lazy`] for
//! Lambda, where thousands of instances each holding a pool is a connection
//! storm: it opens nothing until a request needs it, holds at most a couple
//! of connections (`DATABASE_MAX_CONNECTIONS`, 2 in `template.yaml`), and
//! closes idle ones, so a frozen instance does not pin a connection (or an
//! RDS Proxy borrow) for long. [`retry_read`] survives a failover.

use std::time::Duration;

use sqlx::{
    migrate::Migrator,
    mysql::{MySqlConnectOptions, MySqlPoolOptions},
    MySqlPool,
};

pub static MIGRATOR: Migrator = sqlx::migrate!("../migrations");

pub async fn connect(url: &str, max_connections: u32) -> Result<MySqlPool, sqlx::Error> {
    let options: MySqlConnectOptions = url.parse()?;
    MySqlPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(Duration::from_secs(5))
        .connect_with(options.charset("utf8mb4"))
        .await
}

/// A pool that connects on first use (see the module doc).
pub fn connect_lazy(url: &str, max_connections: u32) -> Result<MySqlPool, sqlx::Error> {
    let options: MySqlConnectOptions = url.parse()?;
    Ok(MySqlPoolOptions::new()
        .max_connections(max_connections)
        .min_connections(0)
        .acquire_timeout(Duration::from_secs(5))
        // RDS Proxy ends client connections idle for its own timeout
        // (30 min by default); closing first keeps the pool from handing
        // out a dead one.
        .idle_timeout(Duration::from_secs(120))
        // A connection is pinged before it is handed out: one that the
        // proxy or a failover dropped while idle is replaced, not used.
        .test_before_acquire(true)
        .connect_lazy_with(options.charset("utf8mb4")))
}

/// Runs an idempotent read, once more if the connection dropped under it
/// (an RDS Proxy or database failover, a restarted server): the second try
/// gets a fresh connection. Only for reads: a write whose connection
/// dropped may have committed.
pub async fn retry_read<T, F, Fut>(mut read: F) -> Result<T, sqlx::Error>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, sqlx::Error>>,
{
    match read().await {
        Err(err) if is_connection_lost(&err) => {
            tracing::warn!(error = %err, "database connection lost; retrying the read once");
            read().await
        }
        other => other,
    }
}

/// Whether `err` means the connection (not the query) failed: an I/O
/// error, or MySQL's 2006 "server has gone away" / 2013 "lost connection",
/// or the server shutting down (1053) or killing the connection (1927
/// on MariaDB).
pub fn is_connection_lost(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::Io(_) | sqlx::Error::Protocol(_) => true,
        sqlx::Error::Database(db) => db
            .try_downcast_ref::<sqlx::mysql::MySqlDatabaseError>()
            .is_some_and(|db| matches!(db.number(), 1053 | 1927 | 2006 | 2013)),
        _ => false,
    }
}

pub async fn migrate(pool: &MySqlPool) -> Result<(), sqlx::migrate::MigrateError> {
    MIGRATOR.run(pool).await
}

/// The unique key a failed INSERT/UPDATE collided with, if that is why it
/// failed. MySQL names it `table.key`, MariaDB just `key`; both contain it.
pub fn unique_violation(err: &sqlx::Error) -> Option<String> {
    let db = err.as_database_error()?;
    if db.code().as_deref() != Some("23000") || !db.message().contains("Duplicate entry") {
        return None;
    }
    let key = db.message().rsplit("for key '").next()?.trim_end_matches('\'');
    Some(key.rsplit('.').next().unwrap_or(key).to_owned())
}

/// Whether a write failed because rows elsewhere still refer to this one
/// (MySQL/MariaDB error 1451).
pub fn foreign_key_violation(err: &sqlx::Error) -> bool {
    err.as_database_error()
        .and_then(|db| db.try_downcast_ref::<sqlx::mysql::MySqlDatabaseError>())
        .is_some_and(|db| db.number() == 1451)
}

pub async fn ping(pool: &MySqlPool) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT 1").execute(pool).await.map(|_| ())
}
