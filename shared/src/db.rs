//! The MySQL pool and the migrations.
//!
//! sqlx pins every connection's session time zone to `+00:00`, so
//! `CURRENT_TIMESTAMP(3)` and every DATETIME column are UTC.

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
