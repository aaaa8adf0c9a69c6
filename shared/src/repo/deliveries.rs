//! What the send loop reads and writes: the campaign it is sending, the
//! next recipient (claimed under the session lease, so only the current
//! owner can mark anyone), and each message's outcome with the campaign's
//! counters.
//!
//! A recipient is marked SENDING *before* its message leaves. If the sender
//! dies in between, the next owner finds it SENDING and turns it UNKNOWN:
//! an explicit "may or may not have been sent" that is never retried, so
//! nobody is messaged twice.

use chrono::{DateTime, Utc};
use sqlx::MySqlExecutor;

use crate::{
    domain::{CampaignStatus, Interval, StoredRecipientStatus},
    governor::cold::ContactKind,
};

/// The campaign as the sender needs it, re-read before every message.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SendingCampaign {
    pub id: i64,
    pub user_id: i64,
    pub title: Option<String>,
    pub message: String,
    #[sqlx(try_from = "String")]
    pub status: CampaignStatus,
    #[sqlx(rename = "send_interval", try_from = "String")]
    pub interval: Interval,
    pub total_recipients: i32,
    pub sent_count: i32,
    pub failed_count: i32,
    pub delivered_count: i32,
    pub is_connected: bool,
    pub started_at: Option<DateTime<Utc>>,
    /// "Link with phone number" was asked for this number (see `pairing`).
    pub pairing_phone: Option<String>,
    /// The code last recorded for it (`None` until the sender records one).
    pub pairing_code: Option<String>,
    pub timezone: String,
    pub send_window_start: Option<String>,
    pub send_window_end: Option<String>,
    /// The WhatsApp account (number) whose session sends it.
    pub whatsapp_account_id: Option<i64>,
    /// The send governor holds it back until then.
    pub waiting_until: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ClaimedRecipient {
    pub id: i64,
    pub phone: String,
    pub name: Option<String>,
}

/// The campaign's one attachment, if any.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SendingAttachment {
    pub original_name: String,
    pub mimetype: String,
    pub path: String,
}

const SENDING_COLUMNS: &str = "id, user_id, title, message, status, send_interval, total_recipients, sent_count, \
     failed_count, delivered_count, is_connected, started_at, pairing_phone, pairing_code, timezone, \
     send_window_start, send_window_end, whatsapp_account_id, waiting_until";

/// The RUNNING campaigns that send from the account, oldest first.
pub async fn running_for_account(
    db: impl MySqlExecutor<'_>,
    account_id: i64,
) -> Result<Vec<SendingCampaign>, sqlx::Error> {
    let [running, active] = CampaignStatus::RUNNING;
    sqlx::query_as(&format!(
        "SELECT {SENDING_COLUMNS} FROM campaigns WHERE whatsapp_account_id = ? AND status IN (?, ?) ORDER BY id"
    ))
    .bind(account_id)
    .bind(running.as_str())
    .bind(active.as_str())
    .fetch_all(db)
    .await
}

pub async fn campaign(db: impl MySqlExecutor<'_>, campaign_id: i64) -> Result<Option<SendingCampaign>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {SENDING_COLUMNS} FROM campaigns WHERE id = ?"))
        .bind(campaign_id)
        .fetch_optional(db)
        .await
}

pub async fn attachment(
    db: impl MySqlExecutor<'_>,
    campaign_id: i64,
) -> Result<Option<SendingAttachment>, sqlx::Error> {
    sqlx::query_as("SELECT original_name, mimetype, path FROM attachments WHERE campaign_id = ?")
        .bind(campaign_id)
        .fetch_optional(db)
        .await
}

/// Claim the next PENDING recipient by marking it SENDING, only while the
/// campaign still sends from the account whose session lease `sender_id`
/// holds under `fencing`. `None`: nobody
/// is pending, or the lease is no longer ours (the caller tells which by
/// checking the lease).
pub async fn claim_next(
    db: &sqlx::MySqlPool,
    campaign_id: i64,
    sender_id: &str,
    fencing: i64,
) -> Result<Option<ClaimedRecipient>, sqlx::Error> {
    let Some((next, _)) = next_in_line(db, campaign_id).await? else { return Ok(None) };
    let marked = sqlx::query(
        "UPDATE recipients r JOIN campaigns c ON c.id = r.campaign_id \
         JOIN whatsapp_sessions l ON l.account_id = c.whatsapp_account_id \
         SET r.status = 'SENDING' \
         WHERE r.id = ? AND r.status = 'PENDING' AND l.sender_id = ? AND l.fencing = ? \
           AND l.expires_at > CURRENT_TIMESTAMP(3)",
    )
    .bind(next.id)
    .bind(sender_id)
    .bind(fencing)
    .execute(db)
    .await?;
    Ok((marked.rows_affected() == 1).then_some(next))
}

/// Who [`claim_next`] would take now, and whether they ever wrote to the
/// campaign's number: people who wrote first (their chats keep working
/// whatever WhatsApp limits), then everyone else, each in list order.
pub async fn next_in_line(
    db: &sqlx::MySqlPool,
    campaign_id: i64,
) -> Result<Option<(ClaimedRecipient, ContactKind)>, sqlx::Error> {
    let warm: Option<ClaimedRecipient> = sqlx::query_as(
        "SELECT r.id, r.phone, r.name FROM recipients r JOIN campaigns c ON c.id = r.campaign_id \
         JOIN warm_contacts w ON w.account_id = c.whatsapp_account_id AND w.phone = r.phone \
         WHERE r.campaign_id = ? AND r.status = 'PENDING' \
         AND (r.deferred_until IS NULL OR r.deferred_until <= CURRENT_TIMESTAMP(3)) ORDER BY r.id LIMIT 1",
    )
    .bind(campaign_id)
    .fetch_optional(db)
    .await?;
    if let Some(warm) = warm {
        return Ok(Some((warm, ContactKind::Warm)));
    }
    let cold: Option<ClaimedRecipient> = sqlx::query_as(
        "SELECT id, phone, name FROM recipients WHERE campaign_id = ? AND status = 'PENDING' \
         AND (deferred_until IS NULL OR deferred_until <= CURRENT_TIMESTAMP(3)) ORDER BY id LIMIT 1",
    )
    .bind(campaign_id)
    .fetch_optional(db)
    .await?;
    Ok(cold.map(|cold| (cold, ContactKind::Cold)))
}

/// Record a message that left: the recipient SENT, the campaign's counter.
pub async fn record_sent(
    db: &mut sqlx::MySqlConnection,
    campaign_id: i64,
    recipient_id: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE recipients SET status = 'SENT', sent_at = CURRENT_TIMESTAMP(3), error = NULL WHERE id = ? AND status = 'SENDING'")
        .bind(recipient_id)
        .execute(&mut *db)
        .await?;
    sqlx::query("UPDATE campaigns SET sent_count = sent_count + 1, last_activity = CURRENT_TIMESTAMP(3) WHERE id = ?")
        .bind(campaign_id)
        .execute(&mut *db)
        .await?;
    Ok(())
}

/// Record a message that could not be sent (e.g. not on WhatsApp).
pub async fn record_failed(
    db: &mut sqlx::MySqlConnection,
    campaign_id: i64,
    recipient_id: i64,
    error: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE recipients SET status = ?, sent_at = CURRENT_TIMESTAMP(3), error = ? WHERE id = ? AND status = 'SENDING'")
        .bind(StoredRecipientStatus::Failed.as_str())
        .bind(error)
        .bind(recipient_id)
        .execute(&mut *db)
        .await?;
    sqlx::query(
        "UPDATE campaigns SET failed_count = failed_count + 1, last_activity = CURRENT_TIMESTAMP(3) WHERE id = ?",
    )
    .bind(campaign_id)
    .execute(&mut *db)
    .await?;
    Ok(())
}

/// Put back a recipient whose message certainly did not leave (the session
/// was found logged out before anything was typed).
pub async fn unclaim(db: impl MySqlExecutor<'_>, recipient_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE recipients SET status = 'PENDING' WHERE id = ? AND status = 'SENDING'")
        .bind(recipient_id)
        .execute(db)
        .await?;
    Ok(())
}

/// WhatsApp's timelock closed the recipient's chat: back in line, not
/// before `until`. Nothing was typed, so nothing may have left.
pub async fn defer(db: impl MySqlExecutor<'_>, recipient_id: i64, until: DateTime<Utc>) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE recipients SET status = 'PENDING', deferred_until = ? WHERE id = ? AND status = 'SENDING'")
        .bind(until)
        .bind(recipient_id)
        .execute(db)
        .await?;
    Ok(())
}

/// When the first of the campaign's deferred recipients still waiting may
/// be tried again (`None`: nobody left was deferred).
pub async fn next_deferred(db: impl MySqlExecutor<'_>, campaign_id: i64) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT MIN(deferred_until) FROM recipients WHERE campaign_id = ? AND status = 'PENDING' \
         AND deferred_until IS NOT NULL",
    )
    .bind(campaign_id)
    .fetch_one(db)
    .await
}

/// After a takeover: whatever the previous owner left SENDING may or may
/// not have gone out. Returns how many became UNKNOWN (counted as failed).
pub async fn settle_interrupted(
    db: &mut sqlx::MySqlConnection,
    campaign_id: i64,
    reason: &str,
) -> Result<u64, sqlx::Error> {
    let settled =
        sqlx::query("UPDATE recipients SET status = 'UNKNOWN', error = ? WHERE campaign_id = ? AND status = 'SENDING'")
            .bind(reason)
            .bind(campaign_id)
            .execute(&mut *db)
            .await?
            .rows_affected();
    if settled > 0 {
        sqlx::query("UPDATE campaigns SET failed_count = failed_count + ? WHERE id = ?")
            .bind(settled)
            .bind(campaign_id)
            .execute(&mut *db)
            .await?;
    }
    Ok(settled)
}

/// A SENT message whose double tick appeared.
pub async fn record_delivered(
    db: &mut sqlx::MySqlConnection,
    campaign_id: i64,
    recipient_id: i64,
) -> Result<bool, sqlx::Error> {
    let changed = sqlx::query(
        "UPDATE recipients SET status = 'DELIVERED', delivered_at = CURRENT_TIMESTAMP(3) WHERE id = ? AND status = 'SENT'",
    )
    .bind(recipient_id)
    .execute(&mut *db)
    .await?
    .rows_affected();
    if changed == 1 {
        sqlx::query("UPDATE campaigns SET delivered_count = delivered_count + 1 WHERE id = ?")
            .bind(campaign_id)
            .execute(&mut *db)
            .await?;
    }
    Ok(changed == 1)
}

/// How many recipients are still to be messaged (PENDING or mid-send).
pub async fn open_count(db: impl MySqlExecutor<'_>, campaign_id: i64) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM recipients WHERE campaign_id = ? AND status IN ('PENDING', 'SENDING')")
        .bind(campaign_id)
        .fetch_one(db)
        .await
}
