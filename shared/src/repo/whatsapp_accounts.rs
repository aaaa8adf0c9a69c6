//! The `whatsapp_accounts` and `whatsapp_sends` tables: a user's WhatsApp
//! numbers and every message each number sent or tried. The governor
//! (`crate::governor::ledger`) composes these in one transaction with the
//! account's row locked.

use chrono::{DateTime, Utc};
use sqlx::MySqlExecutor;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AccountRow {
    pub id: i64,
    pub user_id: i64,
    pub phone: String,
    pub first_linked_at: DateTime<Utc>,
    pub last_sent_at: Option<DateTime<Utc>>,
    pub warm_up_since: DateTime<Utc>,
    pub streak: i32,
    pub streak_target: i32,
    pub restricted_until: Option<DateTime<Utc>>,
    pub last_breaker_reason: Option<String>,
    pub last_breaker_at: Option<DateTime<Utc>>,
    pub breaker_after_send: i64,
    pub next_send_at: Option<DateTime<Utc>>,
}

const COLUMNS: &str = "id, user_id, phone, first_linked_at, last_sent_at, warm_up_since, streak, streak_target, \
                       restricted_until, last_breaker_reason, last_breaker_at, breaker_after_send, next_send_at";

/// The account of `user_id`'s `phone`, created on its first link; its id.
pub async fn upsert(db: impl MySqlExecutor<'_>, user_id: i64, phone: &str) -> Result<i64, sqlx::Error> {
    // LAST_INSERT_ID(id) makes the existing row's id the statement's result.
    let done = sqlx::query(
        "INSERT INTO whatsapp_accounts (user_id, phone) VALUES (?, ?) ON DUPLICATE KEY UPDATE id = LAST_INSERT_ID(id)",
    )
    .bind(user_id)
    .bind(phone)
    .execute(db)
    .await?;
    Ok(done.last_insert_id() as i64)
}

/// The campaign sends from this account from now on.
pub async fn link_campaign(db: impl MySqlExecutor<'_>, campaign_id: i64, account_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE campaigns SET whatsapp_account_id = ? WHERE id = ?")
        .bind(account_id)
        .bind(campaign_id)
        .execute(db)
        .await?;
    Ok(())
}

pub async fn find(db: impl MySqlExecutor<'_>, account_id: i64) -> Result<Option<AccountRow>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM whatsapp_accounts WHERE id = ?"))
        .bind(account_id)
        .fetch_optional(db)
        .await
}

/// The account's row, locked until the transaction ends: every decision
/// about the number is taken by one transaction at a time.
pub async fn lock(db: &mut sqlx::MySqlConnection, account_id: i64) -> Result<Option<AccountRow>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM whatsapp_accounts WHERE id = ? FOR UPDATE"))
        .bind(account_id)
        .fetch_optional(db)
        .await
}

pub async fn owned(db: impl MySqlExecutor<'_>, user_id: i64) -> Result<Vec<AccountRow>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM whatsapp_accounts WHERE user_id = ? ORDER BY id"))
        .bind(user_id)
        .fetch_all(db)
        .await
}

/// When the number's messages that may have left went, since `since`, oldest first.
pub async fn sends_since(
    db: impl MySqlExecutor<'_>,
    account_id: i64,
    since: DateTime<Utc>,
) -> Result<Vec<DateTime<Utc>>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT sent_at FROM whatsapp_sends WHERE account_id = ? AND sent_at > ? \
         AND outcome IN ('PENDING', 'SENT', 'UNCONFIRMED') ORDER BY sent_at",
    )
    .bind(account_id)
    .bind(since)
    .fetch_all(db)
    .await
}

/// A send about to happen, counted from now on; its id.
pub async fn insert_send(
    db: &mut sqlx::MySqlConnection,
    account_id: i64,
    campaign_id: i64,
    at: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    let done = sqlx::query("INSERT INTO whatsapp_sends (account_id, campaign_id, sent_at) VALUES (?, ?, ?)")
        .bind(account_id)
        .bind(campaign_id)
        .bind(at)
        .execute(db)
        .await?;
    Ok(done.last_insert_id() as i64)
}

/// The account after a reserved send: pacing state and warm-up start.
pub async fn record_reservation(
    db: &mut sqlx::MySqlConnection,
    account_id: i64,
    at: DateTime<Utc>,
    warm_up_since: DateTime<Utc>,
    streak: (u32, u32),
    next_send_at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE whatsapp_accounts SET last_sent_at = ?, warm_up_since = ?, streak = ?, streak_target = ?, \
         next_send_at = ? WHERE id = ?",
    )
    .bind(at)
    .bind(warm_up_since)
    .bind(streak.0)
    .bind(streak.1)
    .bind(next_send_at)
    .bind(account_id)
    .execute(db)
    .await?;
    Ok(())
}

/// `outcome`: SENT, UNCONFIRMED, FAILED or NOT_ON_WHATSAPP. A send that
/// certainly did not leave no longer counts against the caps.
pub async fn settle_send(db: impl MySqlExecutor<'_>, send_id: i64, outcome: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE whatsapp_sends SET outcome = ? WHERE id = ? AND outcome = 'PENDING'")
        .bind(outcome)
        .bind(send_id)
        .execute(db)
        .await?;
    Ok(())
}

/// A reserved send that never happened (the page was logged out, the
/// campaign stopped): forgotten.
pub async fn cancel_send(db: impl MySqlExecutor<'_>, send_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM whatsapp_sends WHERE id = ? AND outcome = 'PENDING'").bind(send_id).execute(db).await?;
    Ok(())
}

/// The number's settled outcomes since the breaker last tripped, newest first: (id, outcome).
pub async fn latest_outcomes(
    db: impl MySqlExecutor<'_>,
    account_id: i64,
    after_send: i64,
    limit: i64,
) -> Result<Vec<(i64, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, CAST(outcome AS CHAR) FROM whatsapp_sends WHERE account_id = ? AND id > ? AND outcome <> 'PENDING' \
         ORDER BY id DESC LIMIT ?",
    )
    .bind(account_id)
    .bind(after_send)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// The breaker tripped: remembered for the user, and later checks start after `last_send`.
pub async fn record_trip(
    db: impl MySqlExecutor<'_>,
    account_id: i64,
    reason: &str,
    last_send: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE whatsapp_accounts SET last_breaker_reason = ?, last_breaker_at = CURRENT_TIMESTAMP(3), \
         breaker_after_send = GREATEST(breaker_after_send, ?) WHERE id = ?",
    )
    .bind(reason)
    .bind(last_send)
    .bind(account_id)
    .execute(db)
    .await?;
    Ok(())
}

/// WhatsApp restricted the number until `until`.
pub async fn record_restriction(
    db: impl MySqlExecutor<'_>,
    account_id: i64,
    until: DateTime<Utc>,
    reason: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE whatsapp_accounts SET restricted_until = ?, last_breaker_reason = ?, \
         last_breaker_at = CURRENT_TIMESTAMP(3), \
         breaker_after_send = (SELECT COALESCE(MAX(s.id), 0) FROM whatsapp_sends s WHERE s.account_id = ?) WHERE id = ?",
    )
    .bind(until)
    .bind(reason)
    .bind(account_id)
    .bind(account_id)
    .execute(db)
    .await?;
    Ok(())
}

/// WhatsApp no longer shows the restriction: lifted.
pub async fn clear_restriction(db: impl MySqlExecutor<'_>, account_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE whatsapp_accounts SET restricted_until = NULL WHERE id = ? AND restricted_until IS NOT NULL")
        .bind(account_id)
        .execute(db)
        .await?;
    Ok(())
}

/// The RUNNING campaigns that send from the account.
pub async fn running_campaigns(db: impl MySqlExecutor<'_>, account_id: i64) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM campaigns WHERE whatsapp_account_id = ? AND status IN ('RUNNING', 'ACTIVE')")
        .bind(account_id)
        .fetch_all(db)
        .await
}
