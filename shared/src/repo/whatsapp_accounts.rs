//! The `whatsapp_accounts` and `whatsapp_sends` tables: a user's WhatsApp
//! numbers (each with one session, linked once and reused by every campaign
//! of it) and every message each number sent or tried. The governor
//! (`crate::governor::ledger`) composes these in one transaction with the
//! account's row locked.

use chrono::{DateTime, Utc};
use sqlx::MySqlExecutor;

use crate::governor::cold::WhatsappQuota;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AccountRow {
    pub id: i64,
    pub user_id: i64,
    /// Unknown until WhatsApp Web shows it after the scan.
    pub phone: Option<String>,
    #[sqlx(try_from = "String")]
    pub status: AccountStatus,
    pub status_reason: Option<String>,
    pub qr_code: Option<String>,
    pub pairing_phone: Option<String>,
    pub pairing_code: Option<String>,
    pub pairing_code_expires_at: Option<DateTime<Utc>>,
    pub connected_at: Option<DateTime<Utc>>,
    pub last_activity: Option<DateTime<Utc>>,
    pub first_linked_at: DateTime<Utc>,
    pub last_sent_at: Option<DateTime<Utc>>,
    pub warm_up_since: DateTime<Utc>,
    pub streak: i32,
    pub streak_target: i32,
    pub restricted_until: Option<DateTime<Utc>>,
    pub timelock_until: Option<DateTime<Utc>>,
    pub last_breaker_reason: Option<String>,
    pub last_breaker_at: Option<DateTime<Utc>>,
    pub breaker_after_send: i64,
    pub next_send_at: Option<DateTime<Utc>>,
    pub quota_status: Option<String>,
    pub quota_used: Option<i32>,
    pub quota_total: Option<i32>,
    pub quota_cycle_ends_at: Option<DateTime<Utc>>,
    pub phone_seen_at: Option<DateTime<Utc>>,
    pub relink_warned_at: Option<DateTime<Utc>>,
    /// When the current link attempt was asked for (see `LINKING_TIMEOUT_SECONDS`).
    pub linking_requested_at: Option<DateTime<Utc>>,
}

impl AccountRow {
    /// WhatsApp's new-chat quota as the page last showed it.
    pub fn whatsapp_quota(&self) -> Option<WhatsappQuota> {
        Some(WhatsappQuota {
            status: self.quota_status.as_deref()?.parse().ok()?,
            used: self.quota_used?.max(0) as u32,
            total: self.quota_total?.max(0) as u32,
            cycle_ends_at: self.quota_cycle_ends_at,
        })
    }

    /// When the phone was last seen active (a link needs it).
    pub fn phone_seen(&self) -> DateTime<Utc> {
        self.phone_seen_at.or(self.connected_at).unwrap_or(self.first_linked_at)
    }
}

/// Where the number's link stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AccountStatus {
    /// Waiting for the QR scan (or the pairing code).
    Linking,
    /// Logged in; a saved login is restored whenever a campaign needs it.
    Connected,
    /// The phone logged the device out: link it again.
    Disconnected,
    /// The user removed it (logged out on WhatsApp, login forgotten).
    Removed,
}

impl TryFrom<String> for AccountStatus {
    type Error = String;

    fn try_from(stored: String) -> Result<Self, Self::Error> {
        [Self::Linking, Self::Connected, Self::Disconnected, Self::Removed]
            .into_iter()
            .find(|status| status.as_str() == stored)
            .ok_or_else(|| format!("unknown account status {stored}"))
    }
}

impl AccountStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Linking => "LINKING",
            Self::Connected => "CONNECTED",
            Self::Disconnected => "DISCONNECTED",
            Self::Removed => "REMOVED",
        }
    }
}

pub(crate) const COLUMNS: &str = "id, user_id, phone, status, status_reason, qr_code, pairing_phone, \
                       pairing_code, pairing_code_expires_at, connected_at, last_activity, first_linked_at, last_sent_at, warm_up_since, streak, streak_target, \
                       restricted_until, timelock_until, last_breaker_reason, last_breaker_at, breaker_after_send, next_send_at, \
                       quota_status, quota_used, quota_total, quota_cycle_ends_at, phone_seen_at, relink_warned_at, \
                       linking_requested_at";

/// The account of `user_id`'s `phone`, created on its first link; its id.
pub async fn upsert(db: impl MySqlExecutor<'_>, user_id: i64, phone: &str) -> Result<i64, sqlx::Error> {
    // LAST_INSERT_ID(id) makes the existing row's id the statement's result.
    let done = sqlx::query(
        "INSERT INTO whatsapp_accounts (user_id, phone, status) VALUES (?, ?, 'CONNECTED') \
         ON DUPLICATE KEY UPDATE id = LAST_INSERT_ID(id)",
    )
    .bind(user_id)
    .bind(phone)
    .execute(db)
    .await?;
    Ok(done.last_insert_id() as i64)
}

pub async fn find(db: impl MySqlExecutor<'_>, account_id: i64) -> Result<Option<AccountRow>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM whatsapp_accounts WHERE id = ?"))
        .bind(account_id)
        .fetch_optional(db)
        .await
}

/// The user's accounts, removed ones left out.
pub async fn owned(db: impl MySqlExecutor<'_>, user_id: i64) -> Result<Vec<AccountRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM whatsapp_accounts WHERE user_id = ? AND status <> 'REMOVED' ORDER BY id"
    ))
    .bind(user_id)
    .fetch_all(db)
    .await
}

/// The number's messages that may have left since some moment, oldest
/// first: all of them, and those to people who never wrote to it (cold).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecentSends {
    pub all: Vec<DateTime<Utc>>,
    pub cold: Vec<DateTime<Utc>>,
}

impl RecentSends {
    /// From `GROUP_CONCAT` of [`SEND_LIST`]: `<epoch ms><c|w>,…`.
    fn from_list(list: Option<&str>) -> Self {
        let mut sends = Self::default();
        for item in list.unwrap_or_default().split(',').filter(|item| !item.is_empty()) {
            let (millis, kind) = item.split_at(item.len() - 1);
            let Some(at) = millis.parse().ok().and_then(DateTime::<Utc>::from_timestamp_millis) else { continue };
            sends.all.push(at);
            if kind == "c" {
                sends.cold.push(at);
            }
        }
        sends
    }
}

/// The account's sends that may have left after the bound moment, as one
/// text column (sqlx pins the session's time zone to UTC, so the epoch is
/// right).
const SEND_LIST: &str = "SELECT GROUP_CONCAT(CONCAT(CAST(UNIX_TIMESTAMP(s.sent_at) * 1000 AS UNSIGNED), \
     IF(s.cold, 'c', 'w')) ORDER BY s.sent_at SEPARATOR ',') FROM whatsapp_sends s \
     WHERE s.account_id = whatsapp_accounts.id AND s.sent_at > ? AND s.outcome IN ('PENDING', 'SENT', 'UNCONFIRMED')";

#[derive(sqlx::FromRow)]
struct AccountWithSends {
    #[sqlx(flatten)]
    account: AccountRow,
    sends: Option<String>,
}

/// The number's sends since `since` that may have left.
pub async fn recent_sends(
    db: impl MySqlExecutor<'_>,
    account_id: i64,
    since: DateTime<Utc>,
) -> Result<RecentSends, sqlx::Error> {
    let list: Option<String> = sqlx::query_scalar(&format!("SELECT ({SEND_LIST}) FROM whatsapp_accounts WHERE id = ?"))
        .bind(since)
        .bind(account_id)
        .fetch_optional(db)
        .await?
        .flatten();
    Ok(RecentSends::from_list(list.as_deref()))
}

/// The account's row locked for the rest of the transaction, with its
/// sends since `since` — one statement. The sends are a plain read made
/// after the lock is granted (the transaction's first read), so they
/// include every send committed by whoever held the lock before.
pub async fn lock_with_recent_sends(
    db: &mut sqlx::MySqlConnection,
    account_id: i64,
    since: DateTime<Utc>,
) -> Result<Option<(AccountRow, RecentSends)>, sqlx::Error> {
    let row: Option<AccountWithSends> = sqlx::query_as(&format!(
        "SELECT {COLUMNS}, ({SEND_LIST}) AS sends FROM whatsapp_accounts WHERE id = ? FOR UPDATE"
    ))
    .bind(since)
    .bind(account_id)
    .fetch_optional(db)
    .await?;
    Ok(row.map(|row| (row.account, RecentSends::from_list(row.sends.as_deref()))))
}

/// A send about to happen, counted from now on; its id.
pub async fn insert_send(
    db: &mut sqlx::MySqlConnection,
    account_id: i64,
    campaign_id: i64,
    at: DateTime<Utc>,
    cold: bool,
) -> Result<i64, sqlx::Error> {
    let done = sqlx::query("INSERT INTO whatsapp_sends (account_id, campaign_id, sent_at, cold) VALUES (?, ?, ?, ?)")
        .bind(account_id)
        .bind(campaign_id)
        .bind(at)
        .bind(cold)
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

/// WhatsApp Web showed its timelock: new chats closed until `until`.
pub async fn record_timelock(
    db: impl MySqlExecutor<'_>,
    account_id: i64,
    until: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE whatsapp_accounts SET timelock_until = ? WHERE id = ?")
        .bind(until)
        .bind(account_id)
        .execute(db)
        .await?;
    Ok(())
}

/// WhatsApp Web showed the timelock without saying until when: recorded
/// as `until`, unless a timelock is already on (it is not pushed further
/// at every look). Whether it was recorded now.
pub async fn record_timelock_unless_on(
    db: impl MySqlExecutor<'_>,
    account_id: i64,
    until: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE whatsapp_accounts SET timelock_until = ? WHERE id = ? \
         AND (timelock_until IS NULL OR timelock_until <= CURRENT_TIMESTAMP(3))",
    )
    .bind(until)
    .bind(account_id)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// WhatsApp Web's new-chat quota as the page shows it now.
pub async fn record_quota(
    db: impl MySqlExecutor<'_>,
    account_id: i64,
    quota: &WhatsappQuota,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE whatsapp_accounts SET quota_status = ?, quota_used = ?, quota_total = ?, quota_cycle_ends_at = ? \
         WHERE id = ?",
    )
    .bind(quota.status.as_str())
    .bind(quota.used)
    .bind(quota.total)
    .bind(quota.cycle_ends_at)
    .bind(account_id)
    .execute(db)
    .await?;
    Ok(())
}

/// The phone linked this device just now (a scan or a pairing code): it
/// was active, so the 14 days before WhatsApp logs the device out start again.
pub async fn record_phone_seen(db: impl MySqlExecutor<'_>, account_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE whatsapp_accounts SET phone_seen_at = CURRENT_TIMESTAMP(3), relink_warned_at = NULL WHERE id = ?",
    )
    .bind(account_id)
    .execute(db)
    .await?;
    Ok(())
}

/// The user was warned that the link is due; `false` when already warned.
pub async fn record_relink_warning(db: impl MySqlExecutor<'_>, account_id: i64) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE whatsapp_accounts SET relink_warned_at = CURRENT_TIMESTAMP(3) WHERE id = ? AND relink_warned_at IS NULL",
    )
    .bind(account_id)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// WhatsApp no longer shows the restriction: lifted.
pub async fn clear_restriction(db: impl MySqlExecutor<'_>, account_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE whatsapp_accounts SET restricted_until = NULL WHERE id = ? AND restricted_until IS NOT NULL")
        .bind(account_id)
        .execute(db)
        .await?;
    Ok(())
}

/// A new number to link for `user_id`; its id.
pub async fn create_linking(db: impl MySqlExecutor<'_>, user_id: i64) -> Result<i64, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO whatsapp_accounts (user_id, phone, status, linking_requested_at) \
         VALUES (?, NULL, 'LINKING', CURRENT_TIMESTAMP(3))",
    )
    .bind(user_id)
    .execute(db)
    .await?;
    Ok(done.last_insert_id() as i64)
}

/// A link attempt for the account starts (or is asked for again): LINKING,
/// and its timeout counts from now.
pub async fn mark_linking(db: impl MySqlExecutor<'_>, account_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE whatsapp_accounts SET status = 'LINKING', status_reason = NULL, \
         linking_requested_at = CURRENT_TIMESTAMP(3) WHERE id = ? AND status IN ('LINKING', 'DISCONNECTED')",
    )
    .bind(account_id)
    .execute(db)
    .await?;
    Ok(())
}

/// How many of the user's numbers are being linked.
pub async fn linking_count(db: impl MySqlExecutor<'_>, user_id: i64) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM whatsapp_accounts WHERE user_id = ? AND status = 'LINKING'")
        .bind(user_id)
        .fetch_one(db)
        .await
}

/// The account, if `user_id` owns it and has not removed it.
pub async fn find_owned(
    db: impl MySqlExecutor<'_>,
    account_id: i64,
    user_id: i64,
) -> Result<Option<AccountRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM whatsapp_accounts WHERE id = ? AND user_id = ? AND status <> 'REMOVED'"
    ))
    .bind(account_id)
    .bind(user_id)
    .fetch_optional(db)
    .await
}

/// The user's connected accounts, the most recently active first.
pub async fn connected_of(db: impl MySqlExecutor<'_>, user_id: i64) -> Result<Vec<AccountRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM whatsapp_accounts WHERE user_id = ? AND status = 'CONNECTED' \
         ORDER BY COALESCE(last_activity, connected_at, first_linked_at) DESC, id DESC"
    ))
    .bind(user_id)
    .fetch_all(db)
    .await
}

/// The account a campaign sends from, if any.
pub async fn of_campaign(db: impl MySqlExecutor<'_>, campaign_id: i64) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT whatsapp_account_id FROM campaigns WHERE id = ?")
        .bind(campaign_id)
        .fetch_optional(db)
        .await
        .map(Option::flatten)
}

/// The campaign sends from `account_id` from now on; its connection flag
/// follows the account's.
pub async fn attach_campaign(db: impl MySqlExecutor<'_>, campaign_id: i64, account_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE campaigns c JOIN whatsapp_accounts a ON a.id = ? \
         SET c.whatsapp_account_id = a.id, c.is_connected = (a.status = 'CONNECTED'), \
             c.qr_code = IF(a.status = 'CONNECTED', NULL, a.qr_code) WHERE c.id = ?",
    )
    .bind(account_id)
    .bind(campaign_id)
    .execute(db)
    .await?;
    Ok(())
}

/// The campaign no longer sends from any number (until linked again).
pub async fn detach_campaign(db: impl MySqlExecutor<'_>, campaign_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE campaigns SET whatsapp_account_id = NULL, is_connected = FALSE, session_id = NULL, qr_code = NULL \
         WHERE id = ?",
    )
    .bind(campaign_id)
    .execute(db)
    .await?;
    Ok(())
}

/// Every campaign that sends from the account.
pub async fn campaigns_of(db: impl MySqlExecutor<'_>, account_id: i64) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM campaigns WHERE whatsapp_account_id = ? ORDER BY id")
        .bind(account_id)
        .fetch_all(db)
        .await
}

/// A new link state; the campaigns of the account follow (connected flag,
/// stale QR cleared, the session that serves them).
pub async fn set_status(
    db: &sqlx::MySqlPool,
    account_id: i64,
    status: AccountStatus,
    reason: Option<&str>,
    session_id: Option<&str>,
) -> Result<(), sqlx::Error> {
    let mut tx = db.begin().await?;
    sqlx::query(
        "UPDATE whatsapp_accounts SET status = ?, status_reason = ?, last_activity = CURRENT_TIMESTAMP(3), \
         connected_at = IF(? = 'CONNECTED', CURRENT_TIMESTAMP(3), connected_at), \
         qr_code = IF(? = 'LINKING', qr_code, NULL), \
         pairing_phone = IF(? = 'LINKING', pairing_phone, NULL), \
         pairing_code = IF(? = 'LINKING', pairing_code, NULL) WHERE id = ?",
    )
    .bind(status.as_str())
    .bind(reason)
    .bind(status.as_str())
    .bind(status.as_str())
    .bind(status.as_str())
    .bind(status.as_str())
    .bind(account_id)
    .execute(&mut *tx)
    .await?;
    let connected = status == AccountStatus::Connected;
    sqlx::query(
        "UPDATE campaigns SET is_connected = ?, session_id = ?, qr_code = NULL, \
         last_activity = CURRENT_TIMESTAMP(3) WHERE whatsapp_account_id = ?",
    )
    .bind(connected)
    .bind(session_id.filter(|_| connected))
    .bind(account_id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await
}

/// The page shows a new QR: kept on the account and on its campaigns (the
/// per-campaign API reads it there).
pub async fn set_qr(db: &sqlx::MySqlPool, account_id: i64, raw: &str) -> Result<(), sqlx::Error> {
    let mut tx = db.begin().await?;
    sqlx::query("UPDATE whatsapp_accounts SET qr_code = ? WHERE id = ?")
        .bind(raw)
        .bind(account_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("UPDATE campaigns SET qr_code = ?, is_connected = FALSE WHERE whatsapp_account_id = ?")
        .bind(raw)
        .bind(account_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await
}

/// The account's row, locked until the transaction ends.
async fn lock(db: &mut sqlx::MySqlConnection, account_id: i64) -> Result<Option<AccountRow>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM whatsapp_accounts WHERE id = ? FOR UPDATE"))
        .bind(account_id)
        .fetch_optional(db)
        .await
}

/// After the scan: the account is `phone`'s. An older row of the same owner
/// and number (linked before, removed, or logged out) is folded into this
/// one — its send history, its pacing and warm-up, its campaigns — so the
/// number's caps keep counting; the older row's saved login, if any, is
/// returned for deletion.
pub async fn bind_phone(db: &sqlx::MySqlPool, account_id: i64, phone: &str) -> Result<Option<String>, sqlx::Error> {
    let mut tx = db.begin().await?;
    let Some(account) = lock(&mut tx, account_id).await? else { return Ok(None) };
    if account.phone.as_deref() == Some(phone) {
        return Ok(None);
    }
    let older: Option<i64> =
        sqlx::query_scalar("SELECT id FROM whatsapp_accounts WHERE user_id = ? AND phone = ? AND id <> ? FOR UPDATE")
            .bind(account.user_id)
            .bind(phone)
            .bind(account_id)
            .fetch_optional(&mut *tx)
            .await?;
    let mut stale_snapshot = None;
    if let Some(older) = older {
        sqlx::query("UPDATE whatsapp_sends SET account_id = ? WHERE account_id = ?")
            .bind(account_id)
            .bind(older)
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE campaigns SET whatsapp_account_id = ? WHERE whatsapp_account_id = ?")
            .bind(account_id)
            .bind(older)
            .execute(&mut *tx)
            .await?;
        // Who wrote to the number still did.
        sqlx::query("UPDATE IGNORE warm_contacts SET account_id = ? WHERE account_id = ?")
            .bind(account_id)
            .bind(older)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "UPDATE whatsapp_accounts n JOIN whatsapp_accounts o ON o.id = ? SET \
               n.first_linked_at = LEAST(n.first_linked_at, o.first_linked_at), \
               n.warm_up_since = o.warm_up_since, n.last_sent_at = o.last_sent_at, n.streak = o.streak, \
               n.streak_target = o.streak_target, n.next_send_at = o.next_send_at, \
               n.restricted_until = o.restricted_until, n.last_breaker_reason = o.last_breaker_reason, \
               n.last_breaker_at = o.last_breaker_at, n.breaker_after_send = o.breaker_after_send, \
               n.timelock_until = o.timelock_until, n.quota_status = o.quota_status, n.quota_used = o.quota_used, \
               n.quota_total = o.quota_total, n.quota_cycle_ends_at = o.quota_cycle_ends_at \
             WHERE n.id = ?",
        )
        .bind(older)
        .bind(account_id)
        .execute(&mut *tx)
        .await?;
        stale_snapshot = sqlx::query_scalar("SELECT snapshot_key FROM whatsapp_sessions WHERE account_id = ?")
            .bind(older)
            .fetch_optional(&mut *tx)
            .await?
            .flatten();
        sqlx::query("DELETE FROM whatsapp_accounts WHERE id = ?").bind(older).execute(&mut *tx).await?;
    }
    sqlx::query("UPDATE whatsapp_accounts SET phone = ? WHERE id = ?")
        .bind(phone)
        .bind(account_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(stale_snapshot)
}
