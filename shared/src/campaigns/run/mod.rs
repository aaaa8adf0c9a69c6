//! The owner of a campaign's life. Every change of its status — started,
//! resumed, paused by the user or with a reason when nothing more can be
//! sent without them, held back by the send governor, completed, failed,
//! detached from its number, made READY by a recipient list — is made
//! here: checked against SPEC's state machine (`CampaignStatus::can_become`)
//! before any SQL runs, and announced here over the WebSocket with the
//! events the frontend knows. The API and the sender call these functions
//! and never write a status themselves; the SQL is `repo::campaigns`'s.
//!
//! It does not decide *whether* a campaign should stop (the governor, the
//! driver and the session do): it carries the move out and tells.

mod start;
#[cfg(test)]
mod tests;

use chrono::{DateTime, Utc};
use sqlx::{MySqlExecutor, MySqlPool};

use crate::{
    db::retry_transaction,
    domain::CampaignStatus,
    error::ApiError,
    governor::WaitReason,
    queue::{self, CommandKind},
    realtime::{CampaignEvent, CompletionReport, Progress, Pusher},
    repo::{
        campaigns::{self, CampaignRecord, PauseScope},
        whatsapp_accounts,
    },
    AppContext,
};

pub use start::{resume, start, Starter};

/// A move SPEC's state machine does not allow; the API answers it with a
/// 409 `INVALID_CAMPAIGN_STATE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("A {from} campaign cannot become {to}")]
pub struct Refused {
    pub from: CampaignStatus,
    pub to: CampaignStatus,
}

impl From<Refused> for ApiError {
    fn from(refused: Refused) -> Self {
        ApiError::Conflict { code: "INVALID_CAMPAIGN_STATE", message: refused.to_string() }
    }
}

/// Whether SPEC allows `from` to become `to`.
pub fn check(from: CampaignStatus, to: CampaignStatus) -> Result<(), Refused> {
    if from.can_become(to) {
        Ok(())
    } else {
        Err(Refused { from, to })
    }
}

/// The statuses that may become `to`: the guard of a conditional UPDATE
/// (the sender's moves race the user's, so they are checked in the write).
fn sources(to: CampaignStatus) -> Vec<CampaignStatus> {
    CampaignStatus::ALL.iter().copied().filter(|from| from.can_become(to)).collect()
}

/// RUNNING → PAUSED at the user's request; the sender stops before its
/// next message.
pub async fn pause(ctx: &AppContext, user_id: i64, id: i64) -> Result<CampaignRecord, ApiError> {
    let campaign = move_owned(&ctx.db, user_id, id, CampaignStatus::Paused).await?;
    nudge(ctx, id, CommandKind::Pause).await;
    announce(&ctx.pusher, &campaign, "paused", "Campaign paused").await;
    Ok(campaign)
}

/// Detach the campaign from its WhatsApp number: a running campaign is
/// paused first (nothing is sent without a number), and the session stops
/// serving it. The number stays linked for its other campaigns; removing
/// it is `DELETE /api/whatsapp-accounts/:id`.
pub async fn detach(ctx: &AppContext, user_id: i64, id: i64) -> Result<CampaignRecord, ApiError> {
    let campaign = owned(&ctx.db, user_id, id).await?;
    if campaign.status.is_running() {
        move_owned(&ctx.db, user_id, id, CampaignStatus::Paused).await?;
    }
    // The nudge goes to the session that served it, so it is sent first.
    nudge(ctx, id, CommandKind::Cleanup).await;
    whatsapp_accounts::detach_campaign(&ctx.db, id).await?;
    owned(&ctx.db, user_id, id).await
}

/// A campaign that cannot go on (a scheduled start refused): FAILED with
/// the reason the user reads, and an `error_update` with it.
pub async fn fail(db: &MySqlPool, pusher: &Pusher, id: i64, reason: &str) -> Result<(), ApiError> {
    retry_transaction(|| async {
        let mut tx = db.begin().await?;
        let campaign = campaigns::lock(&mut *tx, id).await?.ok_or_else(|| ApiError::not_found("Campaign"))?;
        check(campaign.status, CampaignStatus::Failed)?;
        campaigns::fail(&mut *tx, id, reason).await?;
        tx.commit().await?;
        Ok::<_, ApiError>(())
    })
    .await?;
    pusher.push(id, &CampaignEvent::ErrorUpdate { error: reason.to_owned() }).await;
    Ok(())
}

/// Everyone handled: COMPLETED with its report, the unused quota returned,
/// and the frontend told (`completion_update`, then `campaign_update`).
/// `false`: it was no longer running (paused meanwhile), nothing changed.
pub async fn complete(db: &MySqlPool, pusher: &Pusher, id: i64) -> Result<bool, ApiError> {
    if !campaigns::complete(db, id, &sources(CampaignStatus::Completed)).await? {
        return Ok(false);
    }
    crate::commerce::quota::release(db, id).await?;
    let Some(c) = campaigns::find(db, id).await? else { return Ok(true) };
    let total = i64::from(c.total_recipients);
    let rate = if total > 0 { (f64::from(c.sent_count) * 10_000.0 / total as f64).round() / 100.0 } else { 0.0 };
    let report = CompletionReport {
        total_recipients: total,
        sent_count: c.sent_count.into(),
        failed_count: c.failed_count.into(),
        delivered_count: c.delivered_count.into(),
        delivery_rate: rate,
    };
    pusher.push(id, &CampaignEvent::CompletionUpdate { report }).await;
    pusher.push(id, &campaign_update(&c)).await;
    tracing::info!(campaign.id = id, sent = c.sent_count, failed = c.failed_count, "campaign completed");
    Ok(true)
}

/// Whose running campaigns [`pause_with_reason`] stops.
#[derive(Debug, Clone, Copy)]
pub enum Halt {
    /// One campaign (WhatsApp Web changed under the driver, the breaker
    /// tripped); its followers are told if it was paused.
    Campaign(i64),
    /// Every running campaign of a WhatsApp number (removed, logged out,
    /// restricted); whoever follows the number or one of its campaigns is
    /// told, once.
    Number(i64),
}

/// Nothing more can be sent without the user: each running campaign of
/// `halt` PAUSED with `reason` (shown as its `failureReason`), and an
/// `error_update` with the reason. Answers the campaigns paused.
pub async fn pause_with_reason(
    db: &MySqlPool,
    pusher: &Pusher,
    halt: Halt,
    reason: &str,
) -> Result<Vec<i64>, sqlx::Error> {
    let from = sources(CampaignStatus::Paused);
    let candidates = match halt {
        Halt::Campaign(id) => vec![id],
        Halt::Number(account_id) => campaigns::of_account_in(db, account_id, &from).await?,
    };
    let mut paused = Vec::new();
    for id in candidates {
        if campaigns::pause_with_reason(db, PauseScope::Campaign(id), reason, &from).await? == 1 {
            tracing::warn!(campaign.id = id, ?halt, reason, "campaign paused");
            paused.push(id);
        }
    }
    let told = CampaignEvent::ErrorUpdate { error: reason.to_owned() };
    match halt {
        Halt::Campaign(id) if !paused.is_empty() => {
            pusher.push(id, &told).await;
        }
        Halt::Campaign(_) => {}
        Halt::Number(account_id) => {
            pusher.push_account(account_id, &told).await;
        }
    }
    Ok(paused)
}

/// The owner was banned or deactivated: every running campaign of theirs
/// PAUSED with the reason, in the caller's transaction. Nobody is told
/// (the owner's sessions are revoked with it). How many were paused.
pub async fn pause_all_of_owner(db: impl MySqlExecutor<'_>, user_id: i64, reason: &str) -> Result<u64, sqlx::Error> {
    campaigns::pause_with_reason(db, PauseScope::Owner(user_id), reason, &sources(CampaignStatus::Paused)).await
}

/// The send governor holds a running campaign back until `until`: stored,
/// and told once per change (a `status_update` "waiting"); the campaign
/// stays RUNNING. `true` when the wait is new or changed.
pub async fn wait(
    db: &MySqlPool,
    pusher: &Pusher,
    id: i64,
    until: DateTime<Utc>,
    reason: WaitReason,
) -> Result<bool, sqlx::Error> {
    let changed = campaigns::set_waiting(db, id, until, reason.as_str(), &CampaignStatus::RUNNING).await?;
    if changed {
        pusher.push(id, &CampaignEvent::Waiting { waiting_until: until, reason }).await;
    }
    Ok(changed)
}

/// The governor lets the campaign send again.
pub async fn go_on(db: &MySqlPool, id: i64) -> Result<(), sqlx::Error> {
    campaigns::clear_waiting(db, id).await
}

/// A fresh recipient list for the campaign locked in the caller's
/// transaction: READY, with its size and its other columns' headers.
pub async fn recipients_imported(
    db: impl MySqlExecutor<'_>,
    campaign: &CampaignRecord,
    total: u32,
    columns: &[String],
) -> Result<(), ApiError> {
    check(campaign.status, CampaignStatus::Ready)?;
    campaigns::mark_recipients_imported(db, campaign.id, total, columns).await?;
    Ok(())
}

async fn owned(db: &MySqlPool, user_id: i64, id: i64) -> Result<CampaignRecord, ApiError> {
    campaigns::find_owned(db, id, user_id).await?.ok_or_else(|| ApiError::not_found("Campaign"))
}

/// Move the user's campaign to `to` under its row lock, if SPEC allows
/// (run again whole if a racing request's locks collide with it).
async fn move_owned(db: &MySqlPool, user_id: i64, id: i64, to: CampaignStatus) -> Result<CampaignRecord, ApiError> {
    retry_transaction(|| async {
        let mut tx = db.begin().await?;
        let campaign =
            campaigns::lock_owned(&mut *tx, id, user_id).await?.ok_or_else(|| ApiError::not_found("Campaign"))?;
        check(campaign.status, to)?;
        campaigns::set_status(&mut *tx, id, to).await?;
        tx.commit().await?;
        Ok::<_, ApiError>(())
    })
    .await?;
    owned(db, user_id, id).await
}

/// Tell the fleet about the campaign; the database change already stands,
/// so a lost nudge only delays the sender until its next look.
pub(crate) async fn nudge(ctx: &AppContext, id: i64, kind: CommandKind) {
    if let Err(err) = queue::dispatch(ctx, id, kind).await {
        tracing::warn!(campaign.id = id, ?kind, error = %err, "could not nudge the sender fleet");
    }
}

fn campaign_update(campaign: &CampaignRecord) -> CampaignEvent {
    CampaignEvent::CampaignUpdate {
        id: campaign.id,
        title: campaign.title.clone(),
        status: campaign.status.to_string(),
        progress: Progress::new(
            campaign.total_recipients.into(),
            campaign.sent_count.into(),
            campaign.failed_count.into(),
            campaign.delivered_count.into(),
        ),
        started_at: campaign.started_at,
    }
}

/// A move the user asked for: the campaign as it now is (`campaign_update`)
/// and what happened (`status_update`).
async fn announce(pusher: &Pusher, campaign: &CampaignRecord, status: &str, message: &str) {
    pusher.push(campaign.id, &campaign_update(campaign)).await;
    let status = CampaignEvent::StatusUpdate { status: status.into(), message: message.into() };
    pusher.push(campaign.id, &status).await;
}
