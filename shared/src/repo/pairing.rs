//! Pairing codes ("Link with phone number"), per WhatsApp account being
//! linked: the API records which number a code is wanted for; the sender
//! that runs the account's session records the code WhatsApp Web shows for
//! it, and clears both once linked.

use chrono::{DateTime, Utc};
use sqlx::MySqlExecutor;

/// What the account's pairing stands at.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Pairing {
    pub phone: String,
    pub code: Option<String>,
    pub expires_at: Option<DateTime<Utc>>,
}

/// A code is wanted for `phone` (canonical digits); any older code is void.
pub async fn request(db: impl MySqlExecutor<'_>, account_id: i64, phone: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE whatsapp_accounts SET pairing_phone = ?, pairing_code = NULL, pairing_code_expires_at = NULL WHERE id = ?",
    )
    .bind(phone)
    .bind(account_id)
    .execute(db)
    .await?;
    Ok(())
}

pub async fn current(db: impl MySqlExecutor<'_>, account_id: i64) -> Result<Option<Pairing>, sqlx::Error> {
    sqlx::query_as(
        "SELECT pairing_phone AS phone, pairing_code AS code, pairing_code_expires_at AS expires_at \
         FROM whatsapp_accounts WHERE id = ? AND pairing_phone IS NOT NULL",
    )
    .bind(account_id)
    .fetch_optional(db)
    .await
}

/// The page shows `code` for `phone`; recorded only while that number is
/// still the one asked for.
pub async fn record_code(
    db: impl MySqlExecutor<'_>,
    account_id: i64,
    phone: &str,
    code: &str,
    expires_at: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE whatsapp_accounts SET pairing_code = ?, pairing_code_expires_at = ? WHERE id = ? AND pairing_phone = ?",
    )
    .bind(code)
    .bind(expires_at)
    .bind(account_id)
    .bind(phone)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Linked (or given up): no pairing pending.
pub async fn clear(db: impl MySqlExecutor<'_>, account_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE whatsapp_accounts SET pairing_phone = NULL, pairing_code = NULL, pairing_code_expires_at = NULL WHERE id = ?",
    )
    .bind(account_id)
    .execute(db)
    .await?;
    Ok(())
}
