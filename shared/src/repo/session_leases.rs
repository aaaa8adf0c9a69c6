//! The `whatsapp_sessions` and `senders` tables: one owner per WhatsApp
//! session — one session per WhatsApp account (number), serving every
//! campaign of it — kept by heartbeats, taken over when they stop.

use chrono::{DateTime, Utc};
use sqlx::MySqlExecutor;

use crate::domain::CampaignStatus;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Lease {
    pub account_id: i64,
    pub sender_id: String,
    pub inbox_url: String,
    pub expires_at: DateTime<Utc>,
    pub fencing: i64,
    pub snapshot_key: Option<String>,
}

const LEASE_COLUMNS: &str = "account_id, sender_id, inbox_url, expires_at, fencing, snapshot_key";

/// The current owner, if its lease has not expired.
pub async fn live_owner(db: impl MySqlExecutor<'_>, account_id: i64) -> Result<Option<Lease>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {LEASE_COLUMNS} FROM whatsapp_sessions WHERE account_id = ? AND expires_at > CURRENT_TIMESTAMP(3)"
    ))
    .bind(account_id)
    .fetch_optional(db)
    .await
}

pub async fn find(db: impl MySqlExecutor<'_>, account_id: i64) -> Result<Option<Lease>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {LEASE_COLUMNS} FROM whatsapp_sessions WHERE account_id = ?"))
        .bind(account_id)
        .fetch_optional(db)
        .await
}

/// Take the lease if it is free, expired, or already ours; the claimed
/// lease (with a new fencing token on a change of owner) or `None` when
/// another sender holds it.
pub async fn claim(
    db: &sqlx::MySqlPool,
    account_id: i64,
    sender_id: &str,
    inbox_url: &str,
    ttl: std::time::Duration,
) -> Result<Option<Lease>, sqlx::Error> {
    let expires_at = Utc::now() + ttl;
    // One statement decides atomically: the row is replaced only when free.
    sqlx::query(
        "INSERT INTO whatsapp_sessions (account_id, sender_id, inbox_url, expires_at) VALUES (?, ?, ?, ?) \
         ON DUPLICATE KEY UPDATE \
           fencing = IF(sender_id = VALUES(sender_id), fencing, IF(expires_at <= CURRENT_TIMESTAMP(3), fencing + 1, fencing)), \
           inbox_url = IF(sender_id = VALUES(sender_id) OR expires_at <= CURRENT_TIMESTAMP(3), VALUES(inbox_url), inbox_url), \
           acquired_at = IF(sender_id = VALUES(sender_id) OR expires_at <= CURRENT_TIMESTAMP(3), CURRENT_TIMESTAMP(3), acquired_at), \
           sender_id = IF(sender_id = VALUES(sender_id) OR expires_at <= CURRENT_TIMESTAMP(3), VALUES(sender_id), sender_id), \
           expires_at = IF(sender_id = VALUES(sender_id), VALUES(expires_at), expires_at)",
    )
    .bind(account_id)
    .bind(sender_id)
    .bind(inbox_url)
    .bind(expires_at)
    .execute(db)
    .await?;
    let lease = find(db, account_id).await?;
    Ok(lease.filter(|lease| lease.sender_id == sender_id && lease.expires_at > Utc::now()))
}

/// Extend every unexpired lease this sender holds; returns how many. An
/// expired one is not revived here: the sender must claim it again, and may
/// find it taken.
pub async fn heartbeat(
    db: impl MySqlExecutor<'_>,
    sender_id: &str,
    ttl: std::time::Duration,
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE whatsapp_sessions SET expires_at = ? WHERE sender_id = ? AND expires_at > CURRENT_TIMESTAMP(3)",
    )
    .bind(Utc::now() + ttl)
    .bind(sender_id)
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}

/// Whether `sender_id` still holds the lease under `fencing`.
pub async fn still_held(
    db: impl MySqlExecutor<'_>,
    account_id: i64,
    sender_id: &str,
    fencing: i64,
) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM whatsapp_sessions WHERE account_id = ? AND sender_id = ? AND fencing = ? \
         AND expires_at > CURRENT_TIMESTAMP(3))",
    )
    .bind(account_id)
    .bind(sender_id)
    .bind(fencing)
    .fetch_one(db)
    .await
    .map(|held: i64| held != 0)
}

pub async fn set_snapshot(db: impl MySqlExecutor<'_>, account_id: i64, key: Option<&str>) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE whatsapp_sessions SET snapshot_key = ? WHERE account_id = ?")
        .bind(key)
        .bind(account_id)
        .execute(db)
        .await?;
    Ok(())
}

/// Give the lease up now (drain or cleanup), so another sender may claim it
/// at once; the snapshot key stays for that sender.
pub async fn release(db: impl MySqlExecutor<'_>, account_id: i64, sender_id: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE whatsapp_sessions SET expires_at = CURRENT_TIMESTAMP(3) - INTERVAL 1 SECOND \
         WHERE account_id = ? AND sender_id = ?",
    )
    .bind(account_id)
    .bind(sender_id)
    .execute(db)
    .await?;
    Ok(())
}

pub async fn delete(db: impl MySqlExecutor<'_>, account_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM whatsapp_sessions WHERE account_id = ?").bind(account_id).execute(db).await?;
    Ok(())
}

/// Accounts whose session lease expired (or that never had one) while a
/// campaign of theirs still needs a session (running, and not waiting for
/// the send governor): to be re-offered to the fleet.
pub async fn orphaned(db: impl MySqlExecutor<'_>, limit: i64) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT a.id FROM whatsapp_accounts a \
         JOIN campaigns c ON c.whatsapp_account_id = a.id AND c.status IN (?, ?) \
           AND (c.waiting_until IS NULL OR c.waiting_until <= CURRENT_TIMESTAMP(3)) \
         LEFT JOIN whatsapp_sessions l ON l.account_id = a.id \
         WHERE a.status = 'CONNECTED' AND (l.account_id IS NULL OR l.expires_at <= CURRENT_TIMESTAMP(3)) \
         GROUP BY a.id ORDER BY MIN(COALESCE(l.expires_at, c.started_at)) LIMIT ?",
    )
    .bind(CampaignStatus::RUNNING[0].as_str())
    .bind(CampaignStatus::RUNNING[1].as_str())
    .bind(limit)
    .fetch_all(db)
    .await
}

/// The live owner of the session a campaign sends through, if any.
pub async fn campaign_owner(db: impl MySqlExecutor<'_>, campaign_id: i64) -> Result<Option<Lease>, sqlx::Error> {
    sqlx::query_as(
        "SELECT l.account_id, l.sender_id, l.inbox_url, l.expires_at, l.fencing, l.snapshot_key \
         FROM campaigns c JOIN whatsapp_sessions l ON l.account_id = c.whatsapp_account_id \
         WHERE c.id = ? AND l.expires_at > CURRENT_TIMESTAMP(3)",
    )
    .bind(campaign_id)
    .fetch_optional(db)
    .await
}

pub async fn register_sender(
    db: impl MySqlExecutor<'_>,
    id: &str,
    inbox_url: &str,
    capacity: i32,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO senders (id, inbox_url, capacity) VALUES (?, ?, ?) \
         ON DUPLICATE KEY UPDATE inbox_url = VALUES(inbox_url), capacity = VALUES(capacity), draining = FALSE, \
         heartbeat_at = CURRENT_TIMESTAMP(3)",
    )
    .bind(id)
    .bind(inbox_url)
    .bind(capacity)
    .execute(db)
    .await?;
    Ok(())
}

pub async fn sender_heartbeat(db: impl MySqlExecutor<'_>, id: &str, draining: bool) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE senders SET heartbeat_at = CURRENT_TIMESTAMP(3), draining = ? WHERE id = ?")
        .bind(draining)
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

pub async fn remove_sender(db: impl MySqlExecutor<'_>, id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM senders WHERE id = ?").bind(id).execute(db).await?;
    Ok(())
}

/// How many of the sender's sessions cannot make room for a new one
/// (linking, or serving a running campaign).
pub async fn set_busy(db: impl MySqlExecutor<'_>, id: &str, busy: i32) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE senders SET busy = ? WHERE id = ?").bind(busy).bind(id).execute(db).await?;
    Ok(())
}

/// Whether senders run (heartbeat within `fresh_secs`, not draining) and
/// none of them could open a session now: every slot linking or sending.
/// With no sender at all the fleet is not "full": one may be starting.
pub async fn fleet_is_full(db: impl MySqlExecutor<'_>, fresh_secs: u64) -> Result<bool, sqlx::Error> {
    let (senders, with_room): (i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), CAST(COALESCE(SUM(busy < capacity), 0) AS SIGNED) FROM senders \
         WHERE NOT draining AND heartbeat_at > CURRENT_TIMESTAMP(3) - INTERVAL ? SECOND",
    )
    .bind(fresh_secs)
    .fetch_one(db)
    .await?;
    Ok(senders > 0 && with_room == 0)
}

/// Where a link attempt stands among those waiting for a browser (LINKING,
/// no live session), oldest first: 1 is next.
pub async fn link_queue_position(db: impl MySqlExecutor<'_>, account_id: i64) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM whatsapp_accounts a \
         JOIN whatsapp_accounts me ON me.id = ? \
         LEFT JOIN whatsapp_sessions l ON l.account_id = a.id AND l.expires_at > CURRENT_TIMESTAMP(3) \
         WHERE a.status = 'LINKING' AND l.account_id IS NULL \
           AND (a.linking_requested_at, a.id) <= (me.linking_requested_at, me.id)",
    )
    .bind(account_id)
    .fetch_one(db)
    .await
}

/// Link attempts that waited for a browser longer than `older_secs` and
/// still have none: they expire (see `whatsapp::link_queue`).
pub async fn stale_queued_links(db: impl MySqlExecutor<'_>, older_secs: u64) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT a.id FROM whatsapp_accounts a \
         LEFT JOIN whatsapp_sessions l ON l.account_id = a.id AND l.expires_at > CURRENT_TIMESTAMP(3) \
         WHERE a.status = 'LINKING' AND l.account_id IS NULL \
           AND a.linking_requested_at < CURRENT_TIMESTAMP(3) - INTERVAL ? SECOND",
    )
    .bind(older_secs)
    .fetch_all(db)
    .await
}
