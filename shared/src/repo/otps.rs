//! The `otps` table: at most one live code per (target, channel, purpose).

use chrono::{DateTime, Utc};
use sqlx::MySqlExecutor;

use crate::domain::{OtpChannel, StoredOtpPurpose};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OtpRecord {
    pub id: i64,
    pub hashed_code: String,
    pub expires_at: DateTime<Utc>,
    pub attempts: i32,
    pub max_attempts: i32,
    pub verified: bool,
    pub last_sent_at: DateTime<Utc>,
}

pub async fn find_for_update(
    db: impl MySqlExecutor<'_>,
    target: &str,
    channel: OtpChannel,
    purpose: impl Into<StoredOtpPurpose>,
) -> Result<Option<OtpRecord>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, hashed_code, expires_at, attempts, max_attempts, verified, last_sent_at \
         FROM otps WHERE target = ? AND channel = ? AND purpose = ? FOR UPDATE",
    )
    .bind(target)
    .bind(channel.as_str())
    .bind(purpose.into().as_str())
    .fetch_optional(db)
    .await
}

/// Store a freshly sent code, replacing any earlier one for the same target.
pub async fn replace(
    db: impl MySqlExecutor<'_>,
    target: &str,
    channel: OtpChannel,
    purpose: impl Into<StoredOtpPurpose>,
    hashed_code: &str,
    expires_at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    // VALUES() is deprecated in MySQL 8.0.20+ but still works there, and the
    // row-alias syntax that replaces it does not exist in MariaDB.
    sqlx::query(
        "INSERT INTO otps (target, channel, purpose, hashed_code, expires_at, last_sent_at) \
         VALUES (?, ?, ?, ?, ?, CURRENT_TIMESTAMP(3)) \
         ON DUPLICATE KEY UPDATE hashed_code = VALUES(hashed_code), expires_at = VALUES(expires_at), \
         attempts = 0, verified = FALSE, last_sent_at = CURRENT_TIMESTAMP(3)",
    )
    .bind(target)
    .bind(channel.as_str())
    .bind(purpose.into().as_str())
    .bind(hashed_code)
    .bind(expires_at)
    .execute(db)
    .await?;
    Ok(())
}

pub async fn record_failed_attempt(db: impl MySqlExecutor<'_>, id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE otps SET attempts = attempts + 1 WHERE id = ?").bind(id).execute(db).await?;
    Ok(())
}

pub async fn mark_verified(
    db: impl MySqlExecutor<'_>,
    id: i64,
    usable_until: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE otps SET verified = TRUE, expires_at = ? WHERE id = ?")
        .bind(usable_until)
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

pub async fn delete(db: impl MySqlExecutor<'_>, id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM otps WHERE id = ?").bind(id).execute(db).await?;
    Ok(())
}
