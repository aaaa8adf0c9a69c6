//! What the send loop reads and writes: the campaign it is sending, the
//! next recipient with everything its message needs (one read), the claim
//! (under the session lease, so only the current owner can mark anyone,
//! with the number's pacing in the same statement), and each message's
//! outcome with the campaign's counters, the number's ledger and the
//! user's quota (one statement). The governor (`crate::governor::ledger`)
//! composes these in its transactions.
//!
//! A recipient is marked SENDING *before* its message leaves. If the sender
//! dies in between, the next owner finds it SENDING and turns it UNKNOWN:
//! an explicit "may or may not have been sent" that is never retried, so
//! nobody is messaged twice.

use chrono::{DateTime, Utc};
use sqlx::{mysql::MySqlRow, FromRow, MySqlExecutor, Row};

use crate::{
    domain::{CampaignStatus, Interval, StoredRecipientStatus},
    governor::cold::ContactKind,
    repo::whatsapp_accounts::{self, AccountRow},
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

/// The next recipient in line with everything its message needs: its
/// personal fields, whether it ever wrote to the number (warm), whether it
/// opted out or is known not to be on WhatsApp, and the campaign's footer
/// and attachment.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct NextRecipient {
    pub id: i64,
    pub phone: String,
    pub name: Option<String>,
    /// The list's other columns (JSON), for `{{column}}` placeholders.
    pub variables: Option<String>,
    pub warm: i64,
    pub opted_out: i64,
    /// When the owner's earlier campaign found the number not on WhatsApp.
    pub unreachable_since: Option<DateTime<Utc>>,
    pub opt_out_footer: bool,
    pub attachment_name: Option<String>,
    pub attachment_mimetype: Option<String>,
    pub attachment_path: Option<String>,
}

impl NextRecipient {
    pub fn contact(&self) -> ContactKind {
        if self.warm != 0 {
            ContactKind::Warm
        } else {
            ContactKind::Cold
        }
    }

    pub fn opted_out(&self) -> bool {
        self.opted_out != 0
    }

    pub fn attachment(&self) -> Option<SendingAttachment> {
        Some(SendingAttachment {
            original_name: self.attachment_name.clone()?,
            mimetype: self.attachment_mimetype.clone()?,
            path: self.attachment_path.clone()?,
        })
    }
}

/// The campaign's one attachment, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendingAttachment {
    pub original_name: String,
    pub mimetype: String,
    pub path: String,
}

const SENDING_COLUMNS: &str = "id, user_id, title, message, status, send_interval, total_recipients, sent_count, \
     failed_count, delivered_count, is_connected, started_at, pairing_phone, pairing_code, timezone, \
     send_window_start, send_window_end, whatsapp_account_id, waiting_until";

/// What a session's turn reads, in one statement: its account, whether
/// the session still holds the account's lease, and the account's RUNNING
/// campaigns, oldest first.
pub struct SessionState {
    pub account: AccountRow,
    pub held: bool,
    pub running: Vec<SendingCampaign>,
}

pub async fn session_state(
    db: impl MySqlExecutor<'_>,
    account_id: i64,
    (sender_id, fencing): (&str, i64),
) -> Result<Option<SessionState>, sqlx::Error> {
    let account_columns = prefixed(whatsapp_accounts::COLUMNS, "a", "");
    let campaign_columns = prefixed(SENDING_COLUMNS, "c", "c_");
    let [running, active] = CampaignStatus::RUNNING;
    let rows = sqlx::query(&format!(
        "SELECT {account_columns}, {campaign_columns}, EXISTS (SELECT 1 FROM whatsapp_sessions l \
           WHERE l.account_id = a.id AND l.sender_id = ? AND l.fencing = ? \
           AND l.expires_at > CURRENT_TIMESTAMP(3)) AS held \
         FROM whatsapp_accounts a LEFT JOIN campaigns c ON c.whatsapp_account_id = a.id AND c.status IN (?, ?) \
         WHERE a.id = ? ORDER BY c.id"
    ))
    .bind(sender_id)
    .bind(fencing)
    .bind(running.as_str())
    .bind(active.as_str())
    .bind(account_id)
    .fetch_all(db)
    .await?;
    let Some(first) = rows.first() else { return Ok(None) };
    let account = AccountRow::from_row(first)?;
    let held = first.try_get::<i64, _>("held")? != 0;
    let mut campaigns = Vec::new();
    for row in &rows {
        if row.try_get::<Option<i64>, _>("c_id")?.is_some() {
            campaigns.push(SendingCampaign::from_prefixed_row(row)?);
        }
    }
    Ok(Some(SessionState { account, held, running: campaigns }))
}

/// `a.id, a.user_id, …` (with `as_prefix`: `c.id AS c_id, …`).
fn prefixed(columns: &str, table: &str, as_prefix: &str) -> String {
    columns
        .split(',')
        .map(str::trim)
        .map(|column| match as_prefix {
            "" => format!("{table}.{column}"),
            _ => format!("{table}.{column} AS {as_prefix}{column}"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

impl SendingCampaign {
    /// From columns named `c_<column>` (see [`session_state`]).
    fn from_prefixed_row(row: &MySqlRow) -> Result<Self, sqlx::Error> {
        fn text_enum<T: TryFrom<String, Error = String>>(row: &MySqlRow, column: &str) -> Result<T, sqlx::Error> {
            T::try_from(row.try_get::<String, _>(column)?)
                .map_err(|source| sqlx::Error::ColumnDecode { index: column.into(), source: source.into() })
        }
        Ok(Self {
            id: row.try_get("c_id")?,
            user_id: row.try_get("c_user_id")?,
            title: row.try_get("c_title")?,
            message: row.try_get("c_message")?,
            status: text_enum(row, "c_status")?,
            interval: text_enum(row, "c_send_interval")?,
            total_recipients: row.try_get("c_total_recipients")?,
            sent_count: row.try_get("c_sent_count")?,
            failed_count: row.try_get("c_failed_count")?,
            delivered_count: row.try_get("c_delivered_count")?,
            is_connected: row.try_get("c_is_connected")?,
            started_at: row.try_get("c_started_at")?,
            pairing_phone: row.try_get("c_pairing_phone")?,
            pairing_code: row.try_get("c_pairing_code")?,
            timezone: row.try_get("c_timezone")?,
            send_window_start: row.try_get("c_send_window_start")?,
            send_window_end: row.try_get("c_send_window_end")?,
            whatsapp_account_id: row.try_get("c_whatsapp_account_id")?,
            waiting_until: row.try_get("c_waiting_until")?,
        })
    }
}

pub async fn campaign(db: impl MySqlExecutor<'_>, campaign_id: i64) -> Result<Option<SendingCampaign>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {SENDING_COLUMNS} FROM campaigns WHERE id = ?"))
        .bind(campaign_id)
        .fetch_optional(db)
        .await
}

/// Who the send loop takes next, with everything the message needs (see
/// [`NextRecipient`]), in one read: people who wrote to the number first
/// (their chats keep working whatever WhatsApp limits), then everyone else,
/// each in list order; a recipient held back by the timelock waits.
/// `unreachable_after`: older findings of "not on WhatsApp" are forgotten.
pub async fn next_recipient(
    db: impl MySqlExecutor<'_>,
    campaign_id: i64,
    unreachable_after: DateTime<Utc>,
) -> Result<Option<NextRecipient>, sqlx::Error> {
    // Each branch is an index range read of one row; the union has two rows at most.
    sqlx::query_as(
        "SELECT n.id, n.phone, n.name, n.variables, n.warm, s.phone IS NOT NULL AS opted_out, \
           u.seen_at AS unreachable_since, c.opt_out_footer, a.original_name AS attachment_name, \
           a.mimetype AS attachment_mimetype, a.path AS attachment_path \
         FROM ( \
           (SELECT r.id, r.phone, r.name, r.variables, r.campaign_id, 1 AS warm FROM recipients r \
              JOIN campaigns c ON c.id = r.campaign_id \
              JOIN warm_contacts w ON w.account_id = c.whatsapp_account_id AND w.phone = r.phone \
              WHERE r.campaign_id = ? AND r.status = 'PENDING' \
                AND (r.deferred_until IS NULL OR r.deferred_until <= CURRENT_TIMESTAMP(3)) \
              ORDER BY r.id LIMIT 1) \
           UNION ALL \
           (SELECT id, phone, name, variables, campaign_id, 0 AS warm FROM recipients \
              WHERE campaign_id = ? AND status = 'PENDING' \
                AND (deferred_until IS NULL OR deferred_until <= CURRENT_TIMESTAMP(3)) \
              ORDER BY id LIMIT 1) \
         ) n \
         JOIN campaigns c ON c.id = n.campaign_id \
         LEFT JOIN suppressions s ON s.user_id = c.user_id AND s.phone = n.phone \
         LEFT JOIN unreachable_numbers u ON u.user_id = c.user_id AND u.phone = n.phone AND u.seen_at > ? \
         LEFT JOIN attachments a ON a.campaign_id = c.id \
         ORDER BY n.warm DESC LIMIT 1",
    )
    .bind(campaign_id)
    .bind(campaign_id)
    .bind(unreachable_after)
    .fetch_optional(db)
    .await
}

/// The number's pacing after a reserved send (see `governor::ledger`).
#[derive(Debug, Clone, Copy)]
pub struct Pacing {
    pub at: DateTime<Utc>,
    pub warm_up_since: DateTime<Utc>,
    pub streak: (u32, u32),
    pub next_send_at: DateTime<Utc>,
}

/// Claim `recipient_id` (PENDING → SENDING) for a reserved send, in one
/// statement with what goes with it: the number's pacing, and the end of
/// the campaign's wait. Only while the campaign still sends from the
/// account whose session lease `sender_id` holds under `fencing`; `false`
/// (nothing changed) otherwise, or when someone took the recipient.
pub async fn claim(
    db: &mut sqlx::MySqlConnection,
    campaign_id: i64,
    recipient_id: i64,
    (sender_id, fencing): (&str, i64),
    pacing: &Pacing,
) -> Result<bool, sqlx::Error> {
    let [running, active] = CampaignStatus::RUNNING;
    let done = sqlx::query(
        "UPDATE recipients r JOIN campaigns c ON c.id = r.campaign_id \
         JOIN whatsapp_sessions l ON l.account_id = c.whatsapp_account_id \
         JOIN whatsapp_accounts a ON a.id = c.whatsapp_account_id \
         SET r.status = 'SENDING', c.waiting_until = NULL, c.wait_reason = NULL, \
             a.last_sent_at = ?, a.warm_up_since = ?, a.streak = ?, a.streak_target = ?, a.next_send_at = ? \
         WHERE r.id = ? AND r.campaign_id = ? AND r.status = 'PENDING' AND c.status IN (?, ?) \
           AND l.sender_id = ? AND l.fencing = ? AND l.expires_at > CURRENT_TIMESTAMP(3)",
    )
    .bind(pacing.at)
    .bind(pacing.warm_up_since)
    .bind(pacing.streak.0)
    .bind(pacing.streak.1)
    .bind(pacing.next_send_at)
    .bind(recipient_id)
    .bind(campaign_id)
    .bind(running.as_str())
    .bind(active.as_str())
    .bind(sender_id)
    .bind(fencing)
    .execute(db)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// A PENDING recipient the send rules keep from being messaged (opted
/// out, known not to be on WhatsApp, not a phone number): FAILED with
/// `error`, counted, under the lease. `tried`: stamped as handled now.
pub async fn fail_unsent(
    db: &mut sqlx::MySqlConnection,
    recipient_id: i64,
    (sender_id, fencing): (&str, i64),
    error: &str,
    tried: bool,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE recipients r JOIN campaigns c ON c.id = r.campaign_id \
         JOIN whatsapp_sessions l ON l.account_id = c.whatsapp_account_id \
         SET r.status = ?, r.error = ?, r.sent_at = IF(?, CURRENT_TIMESTAMP(3), r.sent_at), \
             c.failed_count = c.failed_count + 1, c.last_activity = CURRENT_TIMESTAMP(3) \
         WHERE r.id = ? AND r.status = 'PENDING' \
           AND l.sender_id = ? AND l.fencing = ? AND l.expires_at > CURRENT_TIMESTAMP(3)",
    )
    .bind(StoredRecipientStatus::Failed.as_str())
    .bind(error)
    .bind(tried)
    .bind(recipient_id)
    .bind(sender_id)
    .bind(fencing)
    .execute(db)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Record a message that left, in one statement: the recipient SENT, the
/// campaign's counter, the number's send settled, one reserved message of
/// the user's quota used. Rows are locked campaign first and the user last,
/// the order every quota change keeps. `false`: the recipient was no longer
/// SENDING (settled by a takeover) or nothing was reserved; nothing changed.
pub async fn record_sent(
    db: impl MySqlExecutor<'_>,
    campaign_id: i64,
    recipient_id: i64,
    send_id: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE campaigns c STRAIGHT_JOIN recipients r ON r.campaign_id = c.id \
         STRAIGHT_JOIN whatsapp_sends s ON s.id = ? \
         STRAIGHT_JOIN quota_reservations q ON q.campaign_id = c.id \
         STRAIGHT_JOIN users u ON u.id = q.user_id \
         SET r.status = 'SENT', r.sent_at = CURRENT_TIMESTAMP(3), r.error = NULL, \
             c.sent_count = c.sent_count + 1, c.last_activity = CURRENT_TIMESTAMP(3), \
             s.outcome = IF(s.outcome = 'PENDING', 'SENT', s.outcome), \
             q.reserved = q.reserved - 1, u.messages_used = u.messages_used + 1 \
         WHERE c.id = ? AND r.id = ? AND r.status = 'SENDING' AND q.reserved > 0",
    )
    .bind(send_id)
    .bind(campaign_id)
    .bind(recipient_id)
    .execute(db)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Record a message that did not certainly leave, in one statement: the
/// recipient `status` (FAILED: certainly not sent; UNKNOWN: may have left)
/// with `error`, the campaign's failure counter, and the number's send
/// settled as `outcome`.
pub async fn record_unsent(
    db: impl MySqlExecutor<'_>,
    recipient_id: i64,
    send_id: i64,
    status: StoredRecipientStatus,
    error: &str,
    outcome: &str,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE campaigns c JOIN recipients r ON r.campaign_id = c.id JOIN whatsapp_sends s ON s.id = ? \
         SET r.status = ?, r.sent_at = CURRENT_TIMESTAMP(3), r.error = ?, \
             c.failed_count = c.failed_count + 1, c.last_activity = CURRENT_TIMESTAMP(3), \
             s.outcome = IF(s.outcome = 'PENDING', ?, s.outcome) \
         WHERE r.id = ? AND r.status = 'SENDING'",
    )
    .bind(send_id)
    .bind(status.as_str())
    .bind(error)
    .bind(outcome)
    .bind(recipient_id)
    .execute(db)
    .await?;
    Ok(done.rows_affected() > 0)
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

/// A SENT message whose double tick appeared: DELIVERED, and the
/// campaign's counter, in one statement. `false`: it was not SENT (already
/// DELIVERED, or never sent).
pub async fn record_delivered(db: impl MySqlExecutor<'_>, recipient_id: i64) -> Result<bool, sqlx::Error> {
    let changed = sqlx::query(
        "UPDATE recipients r JOIN campaigns c ON c.id = r.campaign_id \
         SET r.status = 'DELIVERED', r.delivered_at = CURRENT_TIMESTAMP(3), c.delivered_count = c.delivered_count + 1 \
         WHERE r.id = ? AND r.status = 'SENT'",
    )
    .bind(recipient_id)
    .execute(db)
    .await?
    .rows_affected();
    Ok(changed > 0)
}

/// How many recipients are still to be messaged (PENDING or mid-send).
pub async fn open_count(db: impl MySqlExecutor<'_>, campaign_id: i64) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM recipients WHERE campaign_id = ? AND status IN ('PENDING', 'SENDING')")
        .bind(campaign_id)
        .fetch_one(db)
        .await
}
