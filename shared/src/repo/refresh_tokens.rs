//! The `refresh_tokens` table. Tokens are looked up by their SHA-256.

use chrono::{DateTime, Utc};
use sqlx::MySqlExecutor;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RefreshTokenRecord {
    pub id: i64,
    pub user_id: i64,
    pub family_id: String,
    pub expires_at: DateTime<Utc>,
    pub is_revoked: bool,
}

pub async fn insert(
    db: impl MySqlExecutor<'_>,
    user_id: i64,
    token_hash: &str,
    family_id: &str,
    expires_at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO refresh_tokens (user_id, token, family_id, expires_at) VALUES (?, ?, ?, ?)")
        .bind(user_id)
        .bind(token_hash)
        .bind(family_id)
        .bind(expires_at)
        .execute(db)
        .await?;
    Ok(())
}

/// The token row, locked until the transaction ends so two concurrent
/// refreshes of one token cannot both rotate it.
pub async fn find_for_update(
    db: impl MySqlExecutor<'_>,
    token_hash: &str,
) -> Result<Option<RefreshTokenRecord>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, user_id, family_id, expires_at, is_revoked FROM refresh_tokens WHERE token = ? FOR UPDATE",
    )
    .bind(token_hash)
    .fetch_optional(db)
    .await
}

pub async fn revoke(db: impl MySqlExecutor<'_>, id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE refresh_tokens SET is_revoked = TRUE WHERE id = ?").bind(id).execute(db).await?;
    Ok(())
}

pub async fn revoke_family(db: impl MySqlExecutor<'_>, family_id: &str) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("UPDATE refresh_tokens SET is_revoked = TRUE WHERE family_id = ? AND is_revoked = FALSE")
        .bind(family_id)
        .execute(db)
        .await?;
    Ok(done.rows_affected())
}

pub async fn revoke_all_for_user(db: impl MySqlExecutor<'_>, user_id: i64) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("UPDATE refresh_tokens SET is_revoked = TRUE WHERE user_id = ? AND is_revoked = FALSE")
        .bind(user_id)
        .execute(db)
        .await?;
    Ok(done.rows_affected())
}
