//! The `campaigns` table. Every lookup a user can trigger is scoped by the
//! owner's id, so another tenant's campaign is simply "not found".
//!
//! Status changes are written only here and asked for only by the owner of
//! a campaign's life (`campaigns::run`), which checks each against SPEC's
//! state machine: a guarded UPDATE takes the statuses it may move from as
//! a parameter, so the guard is the state machine's, not a copy of it.

use chrono::{DateTime, SubsecRound, Utc};
use sqlx::{MySql, MySqlExecutor, QueryBuilder};

use crate::{
    domain::{CampaignMessage, CampaignStatus, CampaignTitle, Interval, SendType, Timezone},
    governor::SendWindow,
};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CampaignRecord {
    pub id: i64,
    pub user_id: i64,
    pub title: Option<String>,
    pub message: String,
    #[sqlx(rename = "send_interval", try_from = "String")]
    pub interval: Interval,
    pub is_scheduled: bool,
    pub scheduled_at: Option<DateTime<Utc>>,
    pub timezone: String,
    #[sqlx(try_from = "String")]
    pub send_type: SendType,
    #[sqlx(try_from = "String")]
    pub status: CampaignStatus,
    pub failure_reason: Option<String>,
    pub is_connected: bool,
    pub qr_code: Option<String>,
    pub session_id: Option<String>,
    pub last_activity: Option<DateTime<Utc>>,
    pub total_recipients: i32,
    pub sent_count: i32,
    pub failed_count: i32,
    pub delivered_count: i32,
    pub started_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
    pub total_messages: Option<i32>,
    pub successful_messages: Option<i32>,
    pub failed_messages: Option<i32>,
    pub delivery_rate: Option<f64>,
    pub average_delivery_time: Option<f64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Append the opt-out footer to every message.
    pub opt_out_footer: bool,
    /// The imported list's other column headers (a JSON array), if any.
    pub list_columns: Option<String>,
    pub whatsapp_account_id: Option<i64>,
    pub send_window_start: Option<String>,
    pub send_window_end: Option<String>,
    pub waiting_until: Option<DateTime<Utc>>,
    pub wait_reason: Option<String>,
}

impl CampaignRecord {
    pub fn timezone(&self) -> Timezone {
        Timezone::from_stored(&self.timezone)
    }

    /// The imported list's other headers (usable as placeholders).
    pub fn list_columns(&self) -> Vec<String> {
        self.list_columns.as_deref().and_then(|json| serde_json::from_str(json).ok()).unwrap_or_default()
    }

    /// The sending hours; `None`: any time.
    pub fn send_window(&self) -> Option<SendWindow> {
        SendWindow::parse(self.send_window_start.as_deref()?, self.send_window_end.as_deref()?).ok()
    }

    /// Until when and why a RUNNING campaign waits, while it does.
    pub fn waiting(&self) -> Option<(DateTime<Utc>, &str)> {
        let running = self.status.is_running();
        let until = self.waiting_until.filter(|until| running && *until > Utc::now())?;
        Some((until, self.wait_reason.as_deref()?))
    }
}

const COLUMNS: &str = "id, user_id, title, message, send_interval, is_scheduled, scheduled_at, timezone, send_type, \
     status, failure_reason, is_connected, qr_code, session_id, last_activity, total_recipients, sent_count, \
     failed_count, delivered_count, started_at, completed_at, total_messages, successful_messages, failed_messages, \
     delivery_rate, average_delivery_time, created_at, updated_at, opt_out_footer, list_columns, whatsapp_account_id, \
     send_window_start, send_window_end, waiting_until, CAST(wait_reason AS CHAR) AS wait_reason";

pub struct NewCampaign<'a> {
    pub user_id: i64,
    pub title: Option<&'a CampaignTitle>,
    pub message: &'a CampaignMessage,
    pub interval: Interval,
    pub is_scheduled: bool,
    pub scheduled_at: Option<DateTime<Utc>>,
    pub timezone: Timezone,
    pub send_type: SendType,
    pub opt_out_footer: bool,
    pub send_window: Option<&'a SendWindow>,
}

pub async fn insert(db: impl MySqlExecutor<'_>, campaign: NewCampaign<'_>) -> Result<i64, sqlx::Error> {
    let result = sqlx::query(
        "INSERT INTO campaigns (user_id, title, message, send_interval, is_scheduled, scheduled_at, timezone, send_type, \
         opt_out_footer, send_window_start, send_window_end) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(campaign.user_id)
    .bind(campaign.title.map(CampaignTitle::as_str))
    .bind(campaign.message.as_str())
    .bind(campaign.interval.as_str())
    .bind(campaign.is_scheduled)
    .bind(campaign.scheduled_at)
    .bind(campaign.timezone.name())
    .bind(campaign.send_type.as_str())
    .bind(campaign.opt_out_footer)
    .bind(campaign.send_window.map(SendWindow::start))
    .bind(campaign.send_window.map(SendWindow::end))
    .execute(db)
    .await?;
    Ok(result.last_insert_id() as i64)
}

pub async fn find_owned(
    db: impl MySqlExecutor<'_>,
    id: i64,
    user_id: i64,
) -> Result<Option<CampaignRecord>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM campaigns WHERE id = ? AND user_id = ?"))
        .bind(id)
        .bind(user_id)
        .fetch_optional(db)
        .await
}

/// The campaign row, locked until the transaction ends, so a state check
/// and the write it guards cannot interleave with another request's.
pub async fn lock_owned(
    db: impl MySqlExecutor<'_>,
    id: i64,
    user_id: i64,
) -> Result<Option<CampaignRecord>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM campaigns WHERE id = ? AND user_id = ? FOR UPDATE"))
        .bind(id)
        .bind(user_id)
        .fetch_optional(db)
        .await
}

/// Any campaign by id, for work not done on a user's behalf (the scheduler,
/// the sender).
pub async fn find(db: impl MySqlExecutor<'_>, id: i64) -> Result<Option<CampaignRecord>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM campaigns WHERE id = ?")).bind(id).fetch_optional(db).await
}

/// Any campaign by id, locked until the transaction ends.
pub async fn lock(db: impl MySqlExecutor<'_>, id: i64) -> Result<Option<CampaignRecord>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM campaigns WHERE id = ? FOR UPDATE"))
        .bind(id)
        .fetch_optional(db)
        .await
}

pub async fn set_status(db: impl MySqlExecutor<'_>, id: i64, status: CampaignStatus) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE campaigns SET status = ? WHERE id = ?").bind(status.as_str()).bind(id).execute(db).await?;
    Ok(())
}

/// RUNNING from now: the first start stamps `startedAt`; a scheduled start
/// is no longer pending.
pub async fn mark_started(db: impl MySqlExecutor<'_>, id: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE campaigns SET status = ?, started_at = COALESCE(started_at, CURRENT_TIMESTAMP(3)), \
         is_scheduled = FALSE, failure_reason = NULL WHERE id = ?",
    )
    .bind(CampaignStatus::Running.as_str())
    .bind(id)
    .execute(db)
    .await?;
    Ok(())
}

/// Scheduled campaigns whose time has come, oldest first.
pub async fn due_scheduled(db: impl MySqlExecutor<'_>, limit: i64) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT id FROM campaigns WHERE is_scheduled = TRUE AND status = 'READY' \
         AND scheduled_at <= CURRENT_TIMESTAMP(3) ORDER BY scheduled_at LIMIT ?",
    )
    .bind(limit)
    .fetch_all(db)
    .await
}

/// Lock the campaign and say whether it is scheduled and due. The row is
/// reached by its primary key alone: with the due conditions in the WHERE,
/// MariaDB scans `ix_campaigns_due` and two racing scheduler runs deadlock
/// on its gap locks.
pub async fn lock_if_due(db: impl MySqlExecutor<'_>, id: i64) -> Result<bool, sqlx::Error> {
    let due: Option<i64> = sqlx::query_scalar(
        "SELECT CAST(COALESCE(is_scheduled = TRUE AND status = 'READY' AND scheduled_at <= CURRENT_TIMESTAMP(3), FALSE) AS SIGNED) \
         FROM campaigns WHERE id = ? FOR UPDATE",
    )
    .bind(id)
    .fetch_optional(db)
    .await?;
    Ok(due == Some(1))
}

/// A due campaign is being started: no longer pending on the schedule.
pub async fn take_off_schedule(db: impl MySqlExecutor<'_>, id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE campaigns SET is_scheduled = FALSE WHERE id = ?").bind(id).execute(db).await?;
    Ok(())
}

/// The owner's scheduled campaigns that have not started: READY ones, and
/// DRAFTs scheduled before their list was uploaded.
pub async fn scheduled_owned(db: impl MySqlExecutor<'_>, user_id: i64) -> Result<Vec<CampaignRecord>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM campaigns WHERE user_id = ? AND is_scheduled = TRUE AND status IN ('READY', 'DRAFT') \
         ORDER BY scheduled_at"
    ))
    .bind(user_id)
    .fetch_all(db)
    .await
}

/// Back to a plain READY campaign that starts only when asked.
pub async fn unschedule(db: impl MySqlExecutor<'_>, id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE campaigns SET is_scheduled = FALSE, send_type = 'IMMEDIATE', scheduled_at = NULL WHERE id = ?")
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

/// Back on the schedule after a run could not handle it.
pub async fn reschedule(db: impl MySqlExecutor<'_>, id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE campaigns SET is_scheduled = TRUE WHERE id = ? AND status = 'READY'")
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

/// A campaign that cannot go on, with the reason the user will read.
pub async fn fail(db: impl MySqlExecutor<'_>, id: i64, reason: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE campaigns SET status = ?, failure_reason = ?, is_scheduled = FALSE WHERE id = ?")
        .bind(CampaignStatus::Failed.as_str())
        .bind(reason)
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

/// The owner's campaigns among `ids` (others' and missing ones are absent).
pub async fn find_many_owned(
    db: impl MySqlExecutor<'_>,
    user_id: i64,
    ids: &[i64],
) -> Result<Vec<CampaignRecord>, sqlx::Error> {
    let mut query = QueryBuilder::<MySql>::new(format!("SELECT {COLUMNS} FROM campaigns WHERE user_id = "));
    query.push_bind(user_id).push(" AND id IN (");
    let mut list = query.separated(", ");
    for id in ids {
        list.push_bind(*id);
    }
    query.push(") ORDER BY id");
    query.build_query_as().fetch_all(db).await
}

/// What a campaign list is narrowed by.
#[derive(Debug, Default)]
pub struct CampaignFilter {
    pub status: Option<CampaignStatus>,
    /// A substring of the title.
    pub search: Option<String>,
}

fn push_filter<'a>(query: &mut QueryBuilder<'a, MySql>, user_id: i64, filter: &'a CampaignFilter) {
    query.push(" WHERE user_id = ").push_bind(user_id);
    if let Some(status) = filter.status {
        query.push(" AND status = ").push_bind(status.as_str());
    }
    if let Some(search) = &filter.search {
        // `\` is LIKE's default escape character in MySQL and MariaDB.
        let escaped = search.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
        query.push(" AND title LIKE ").push_bind(format!("%{escaped}%"));
    }
}

/// One page of the owner's campaigns, newest first.
pub async fn list_owned(
    db: impl MySqlExecutor<'_>,
    user_id: i64,
    filter: &CampaignFilter,
    limit: u32,
    offset: u64,
) -> Result<Vec<CampaignRecord>, sqlx::Error> {
    let mut query = QueryBuilder::<MySql>::new(format!("SELECT {COLUMNS} FROM campaigns"));
    push_filter(&mut query, user_id, filter);
    query.push(" ORDER BY created_at DESC, id DESC LIMIT ").push_bind(limit).push(" OFFSET ").push_bind(offset);
    query.build_query_as().fetch_all(db).await
}

pub async fn count_owned(
    db: impl MySqlExecutor<'_>,
    user_id: i64,
    filter: &CampaignFilter,
) -> Result<u64, sqlx::Error> {
    let mut query = QueryBuilder::<MySql>::new("SELECT COUNT(*) FROM campaigns");
    push_filter(&mut query, user_id, filter);
    let count: i64 = query.build_query_scalar().fetch_one(db).await?;
    Ok(count as u64)
}

pub async fn update_title(db: impl MySqlExecutor<'_>, id: i64, title: &CampaignTitle) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE campaigns SET title = ? WHERE id = ?").bind(title.as_str()).bind(id).execute(db).await?;
    Ok(())
}

pub async fn update_interval(db: impl MySqlExecutor<'_>, id: i64, interval: Interval) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE campaigns SET send_interval = ? WHERE id = ?")
        .bind(interval.as_str())
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

/// New sending hours (`None`: any time); a waiting campaign re-checks them.
pub async fn update_send_window(
    db: impl MySqlExecutor<'_>,
    id: i64,
    window: Option<&SendWindow>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE campaigns SET send_window_start = ?, send_window_end = ?, \
         waiting_until = IF(wait_reason = 'OUTSIDE_SENDING_HOURS', NULL, waiting_until), \
         wait_reason = IF(wait_reason = 'OUTSIDE_SENDING_HOURS', NULL, wait_reason) WHERE id = ?",
    )
    .bind(window.map(SendWindow::start))
    .bind(window.map(SendWindow::end))
    .bind(id)
    .execute(db)
    .await?;
    Ok(())
}

/// A fresh recipient list: READY, its size, its other columns' headers,
/// and no progress yet.
pub async fn mark_recipients_imported(
    db: impl MySqlExecutor<'_>,
    id: i64,
    total: u32,
    columns: &[String],
) -> Result<(), sqlx::Error> {
    let columns = (!columns.is_empty()).then(|| serde_json::to_string(columns).unwrap_or_default());
    sqlx::query(
        "UPDATE campaigns SET status = ?, total_recipients = ?, sent_count = 0, failed_count = 0, \
         delivered_count = 0, list_columns = ? WHERE id = ?",
    )
    .bind(CampaignStatus::Ready.as_str())
    .bind(total)
    .bind(columns)
    .bind(id)
    .execute(db)
    .await?;
    Ok(())
}

/// ` AND status IN (…)`, one bound parameter per status.
fn push_status_in(query: &mut QueryBuilder<'_, MySql>, statuses: &[CampaignStatus]) {
    query.push(" AND status IN (");
    let mut list = query.separated(", ");
    for status in statuses {
        list.push_bind(status.as_str());
    }
    query.push(")");
}

/// Close a campaign whose recipients are all handled: COMPLETED with its
/// report figures, if it is in one of `from`.
pub async fn complete(db: impl MySqlExecutor<'_>, id: i64, from: &[CampaignStatus]) -> Result<bool, sqlx::Error> {
    let mut query = QueryBuilder::<MySql>::new("UPDATE campaigns c SET c.status = ");
    query.push_bind(CampaignStatus::Completed.as_str()).push(
        ", c.completed_at = CURRENT_TIMESTAMP(3), \
           c.total_messages = c.total_recipients, \
           c.successful_messages = c.sent_count, \
           c.failed_messages = c.failed_count, \
           c.delivery_rate = IF(c.total_recipients > 0, ROUND(c.sent_count * 100.0 / c.total_recipients, 2), 0), \
           c.average_delivery_time = (SELECT AVG(TIMESTAMPDIFF(MICROSECOND, r.sent_at, r.delivered_at)) / 1000000 \
                                      FROM recipients r WHERE r.campaign_id = c.id AND r.delivered_at IS NOT NULL) \
         WHERE c.id = ",
    );
    query.push_bind(id);
    push_status_in(&mut query, from);
    Ok(query.build().execute(db).await?.rows_affected() == 1)
}

/// Which campaigns a pause with a reason applies to.
#[derive(Debug, Clone, Copy)]
pub enum PauseScope {
    Campaign(i64),
    /// Every campaign of the owner.
    Owner(i64),
}

/// PAUSED with the reason the user reads, for the campaigns of `scope` in
/// one of `from`; how many.
pub async fn pause_with_reason(
    db: impl MySqlExecutor<'_>,
    scope: PauseScope,
    reason: &str,
    from: &[CampaignStatus],
) -> Result<u64, sqlx::Error> {
    let mut query = QueryBuilder::<MySql>::new("UPDATE campaigns SET status = ");
    query.push_bind(CampaignStatus::Paused.as_str()).push(", failure_reason = ").push_bind(reason);
    match scope {
        PauseScope::Campaign(id) => query.push(" WHERE id = ").push_bind(id),
        PauseScope::Owner(user_id) => query.push(" WHERE user_id = ").push_bind(user_id),
    };
    push_status_in(&mut query, from);
    Ok(query.build().execute(db).await?.rows_affected())
}

/// The campaigns that send from the account and are in one of `statuses`.
pub async fn of_account_in(
    db: impl MySqlExecutor<'_>,
    account_id: i64,
    statuses: &[CampaignStatus],
) -> Result<Vec<i64>, sqlx::Error> {
    let mut query = QueryBuilder::<MySql>::new("SELECT id FROM campaigns WHERE whatsapp_account_id = ");
    query.push_bind(account_id);
    push_status_in(&mut query, statuses);
    query.push(" ORDER BY id");
    query.build_query_scalar().fetch_all(db).await
}

/// A campaign in one of `running` that may not send now: until when, and
/// why (`waiting_until`, `wait_reason`). `true` when the wait is new or
/// changed (worth telling the user).
pub async fn set_waiting(
    db: impl MySqlExecutor<'_>,
    id: i64,
    until: DateTime<Utc>,
    reason: &str,
    running: &[CampaignStatus],
) -> Result<bool, sqlx::Error> {
    // Compared to the millisecond, as stored.
    let until = until.trunc_subsecs(3);
    let mut query = QueryBuilder::<MySql>::new("UPDATE campaigns SET waiting_until = ");
    query.push_bind(until).push(", wait_reason = ").push_bind(reason);
    query.push(" WHERE id = ").push_bind(id);
    query.push(" AND NOT (waiting_until <=> ").push_bind(until);
    query.push(" AND wait_reason <=> ").push_bind(reason).push(")");
    push_status_in(&mut query, running);
    Ok(query.build().execute(db).await?.rows_affected() == 1)
}

/// The campaign may send again.
pub async fn clear_waiting(db: impl MySqlExecutor<'_>, id: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE campaigns SET waiting_until = NULL, wait_reason = NULL WHERE id = ? AND waiting_until IS NOT NULL",
    )
    .bind(id)
    .execute(db)
    .await?;
    Ok(())
}

/// Recipients and the attachment row go with it (ON DELETE CASCADE).
pub async fn delete(db: impl MySqlExecutor<'_>, id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM campaigns WHERE id = ?").bind(id).execute(db).await?;
    Ok(())
}
