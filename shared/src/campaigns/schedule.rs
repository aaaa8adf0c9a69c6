//! Scheduled starts: the scheduler's run (every minute by EventBridge; on a
//! timer locally), the user's list of scheduled campaigns, and cancelling a
//! schedule. A due campaign starts through the same checks as a manual
//! start; one that fails them is FAILED with the reason, and the user is
//! told over the WebSocket.

use crate::{
    campaigns::run::{self, start, Refused, Starter},
    db::{retry_transaction, LockConflict},
    domain::CampaignStatus,
    error::ApiError,
    queue::{Command, CommandKind},
    repo::{
        campaigns::{self, CampaignRecord},
        health, session_leases, ws_connections,
    },
    AppContext,
};

/// How many due campaigns one run takes on.
const BATCH: i64 = 100;

/// What one scheduler run did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct SchedulerReport {
    pub started: usize,
    pub failed: usize,
    pub reoffered: usize,
    pub links_expired: usize,
    /// RUNNING campaigns with no send for [`STALLED_AFTER_MINUTES`] (the
    /// `StalledCampaigns` metric an alarm watches).
    pub stalled: usize,
}

/// How long a RUNNING campaign may go without a send before it counts as
/// stalled.
pub const STALLED_AFTER_MINUTES: u32 = 10;

#[tracing::instrument(skip_all)]
pub async fn run_scheduler(ctx: &AppContext) -> Result<SchedulerReport, ApiError> {
    let mut report = SchedulerReport::default();
    for id in campaigns::due_scheduled(&ctx.db, BATCH).await? {
        if !claim(ctx, id).await? {
            continue; // another run took it
        }
        match start(ctx, id, Starter::Scheduler).await {
            Ok(_) => report.started += 1,
            Err(ApiError::Internal(cause)) => {
                // Not the campaign's fault: put it back for the next run.
                tracing::error!(campaign.id = id, error.cause_chain = ?cause, "scheduled start failed");
                campaigns::reschedule(&ctx.db, id).await?;
            }
            Err(conflict) if conflict.is_lock_conflict() => {
                // Nor is losing a race for its rows every time.
                tracing::warn!(campaign.id = id, "scheduled start kept meeting lock conflicts");
                campaigns::reschedule(&ctx.db, id).await?;
            }
            Err(refusal) => {
                let reason = format!("Scheduled start refused: {refusal}");
                run::fail(&ctx.db, &ctx.pusher, id, &reason).await?;
                report.failed += 1;
            }
        }
    }
    // Sessions whose sender stopped heartbeating: offer them to the fleet.
    for account_id in session_leases::orphaned(&ctx.db, BATCH).await? {
        let command = Command::for_account(CommandKind::TakeOver, account_id);
        if ctx.queues.send(ctx.queues.sessions_url(), &command).await.is_ok() {
            report.reoffered += 1;
        }
    }
    // Link attempts that never got a browser (their senders expire the rest).
    report.links_expired = crate::whatsapp::link_queue::expire_stale(ctx).await?;
    ws_connections::delete_expired(&ctx.db).await?;
    report.stalled = health::stalled_running_campaigns(&ctx.db, STALLED_AFTER_MINUTES).await? as usize;
    crate::metrics::gauge("StalledCampaigns", report.stalled as f64, crate::metrics::Unit::Count, &[]);
    if report != SchedulerReport::default() {
        tracing::info!(?report, "scheduler run");
    }
    Ok(report)
}

/// Take a due campaign off the schedule; `true` for exactly one caller
/// however many scheduler runs race for it.
async fn claim(ctx: &AppContext, id: i64) -> Result<bool, ApiError> {
    retry_transaction(|| async {
        let mut tx = ctx.db.begin().await?;
        if !campaigns::lock_if_due(&mut *tx, id).await? {
            return Ok(false);
        }
        campaigns::take_off_schedule(&mut *tx, id).await?;
        tx.commit().await?;
        Ok(true)
    })
    .await
}

pub async fn scheduled(ctx: &AppContext, user_id: i64) -> Result<Vec<CampaignRecord>, ApiError> {
    Ok(campaigns::scheduled_owned(&ctx.db, user_id).await?)
}

/// A scheduled campaign off the schedule: a READY one starts only when
/// asked, a DRAFT (scheduled before its list came) stays a DRAFT.
pub async fn cancel_schedule(ctx: &AppContext, user_id: i64, id: i64) -> Result<CampaignRecord, ApiError> {
    retry_transaction(|| async {
        let mut tx = ctx.db.begin().await?;
        let campaign =
            campaigns::lock_owned(&mut *tx, id, user_id).await?.ok_or_else(|| ApiError::not_found("Campaign"))?;
        let waiting = matches!(campaign.status, CampaignStatus::Ready | CampaignStatus::Draft);
        if !campaign.is_scheduled || !waiting {
            return Err(match campaign.status {
                CampaignStatus::Ready | CampaignStatus::Draft => {
                    ApiError::Conflict { code: "NOT_SCHEDULED", message: "The campaign is not scheduled".into() }
                }
                other => Refused { from: other, to: CampaignStatus::Ready }.into(),
            });
        }
        campaigns::unschedule(&mut *tx, id).await?;
        tx.commit().await?;
        Ok(())
    })
    .await?;
    super::owned(&ctx.db, id, user_id).await
}
