//! Starting (or resuming) a campaign: every condition is checked with its
//! own clear refusal, the quota for the recipients still to be messaged is
//! reserved, the campaign goes RUNNING, and the sender is nudged. The
//! scheduler starts due campaigns through the same function. Each step is
//! its own transaction, run again whole if it loses a lock conflict to a
//! racing request; the sender hears of the start only once it stands.

use std::future::Future;

use sqlx::MySqlPool;

use super::{announce, nudge, Refused};
use crate::{
    commerce::{quota, subscription},
    db::retry_transaction,
    domain::CampaignStatus,
    error::ApiError,
    queue::CommandKind,
    repo::{campaigns, deliveries, users, whatsapp_accounts},
    AppContext,
};

/// Who starts: a user (their own campaign only) or the scheduler.
#[derive(Debug, Clone, Copy)]
pub enum Starter {
    User(i64),
    Scheduler,
}

fn refuse(code: &'static str, message: &str) -> ApiError {
    ApiError::BusinessRule { code, message: message.to_owned() }
}

/// A start takes a READY or a PAUSED campaign; a resume only a PAUSED one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Launch {
    Start,
    Resume,
}

impl Launch {
    /// RUNNING as SPEC allows it; a resume only of what was paused.
    pub(super) fn check(self, status: CampaignStatus) -> Result<(), Refused> {
        super::check(status, CampaignStatus::Running)?;
        match self {
            Launch::Resume if status != CampaignStatus::Paused => {
                Err(Refused { from: status, to: CampaignStatus::Running })
            }
            _ => Ok(()),
        }
    }

    fn message(self) -> &'static str {
        match self {
            Launch::Start => "Campaign started",
            Launch::Resume => "Campaign resumed",
        }
    }
}

// Plain functions handing out `launch`'s future: an async wrapper would
// nest one more future in every caller's (the local gateway's scheduler
// timer is already deep).
pub fn start(
    ctx: &AppContext,
    id: i64,
    starter: Starter,
) -> impl Future<Output = Result<campaigns::CampaignRecord, ApiError>> + '_ {
    launch(ctx, id, starter, Launch::Start)
}

/// PAUSED → RUNNING under the same conditions as a start.
pub fn resume(
    ctx: &AppContext,
    user_id: i64,
    id: i64,
) -> impl Future<Output = Result<campaigns::CampaignRecord, ApiError>> + '_ {
    launch(ctx, id, Starter::User(user_id), Launch::Resume)
}

#[tracing::instrument(skip(ctx), fields(campaign.id = id))]
async fn launch(
    ctx: &AppContext,
    id: i64,
    starter: Starter,
    launch: Launch,
) -> Result<campaigns::CampaignRecord, ApiError> {
    let (campaign, open) = retry_transaction(|| admit(&ctx.db, id, starter, launch)).await?;

    // The reservation takes the user's quota row in its own transaction (it
    // also references this campaign, so it cannot run while we hold the
    // campaign's lock). Reserving is idempotent per campaign: a racing
    // second start sets the same figure.
    quota::reserve(&ctx.db, campaign.user_id, id, open).await?;
    if let Some(moved) = retry_transaction(|| mark_running(ctx, id, campaign.status)).await? {
        // Another request moved it meanwhile (a racing start keeps its
        // reservation; anything else has no use for one). Released only now
        // that the campaign's lock is let go, for the reason above.
        if !matches!(moved, CampaignStatus::Running | CampaignStatus::Active) {
            quota::release(&ctx.db, id).await?;
        }
        return Err(Refused { from: moved, to: CampaignStatus::Running }.into());
    }

    let started = campaigns::find(&ctx.db, id).await?.ok_or_else(|| ApiError::not_found("Campaign"))?;
    nudge(ctx, id, CommandKind::Start).await;
    announce(&ctx.pusher, &started, "running", launch.message()).await;
    tracing::info!(recipients = open, ?launch, "campaign running");
    Ok(started)
}

/// Every condition of a start, under the campaign's lock: the campaign as
/// it was and the number of recipients still to message.
pub(super) async fn admit(
    db: &MySqlPool,
    id: i64,
    starter: Starter,
    launch: Launch,
) -> Result<(campaigns::CampaignRecord, i64), ApiError> {
    let mut tx = db.begin().await?;
    let campaign = match starter {
        Starter::User(user_id) => campaigns::lock_owned(&mut *tx, id, user_id).await?,
        Starter::Scheduler => campaigns::lock(&mut *tx, id).await?,
    }
    .ok_or_else(|| ApiError::not_found("Campaign"))?;
    launch.check(campaign.status)?;
    let open = deliveries::open_count(&mut *tx, id).await?;
    if campaign.total_recipients == 0 || open == 0 {
        return Err(refuse("NO_RECIPIENTS", "The campaign has no recipients left to message; import a list first"));
    }
    crate::campaigns::personal::ensure_resolvable(&campaign)?;
    let owner = users::find_by_id(&mut *tx, campaign.user_id).await?.ok_or_else(|| ApiError::not_found("User"))?;
    if owner.status != crate::domain::UserStatus::Active {
        return Err(refuse("USER_NOT_ACTIVE", "The account is not active"));
    }
    if !subscription::is_active(owner.subscription_active, owner.subscription_expires_at) {
        return Err(refuse("SUBSCRIPTION_INACTIVE", "No active subscription; buy a package first"));
    }
    // The number it sends from must be linked (a sender restores the saved
    // login; no open session is needed).
    let account = match campaign.whatsapp_account_id {
        Some(account_id) => whatsapp_accounts::find(&mut *tx, account_id).await?,
        None => None,
    };
    if let Some(refusal) = crate::whatsapp::numbers::refusal(account.as_ref()) {
        return Err(refusal);
    }
    tx.commit().await?;
    Ok((campaign, open))
}

/// RUNNING, if the campaign is still in the state the checks saw; else
/// the state another request moved it to, with nothing changed.
async fn mark_running(ctx: &AppContext, id: i64, seen: CampaignStatus) -> Result<Option<CampaignStatus>, ApiError> {
    let mut tx = ctx.db.begin().await?;
    let now = campaigns::lock(&mut *tx, id).await?.ok_or_else(|| ApiError::not_found("Campaign"))?;
    if now.status != seen || super::check(now.status, CampaignStatus::Running).is_err() {
        return Ok(Some(now.status));
    }
    campaigns::mark_started(&mut *tx, id).await?;
    tx.commit().await?;
    Ok(None)
}
