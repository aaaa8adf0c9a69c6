//! WhatsApp sessions as the API drives them. A session belongs to a WhatsApp
//! account (number), linked once and reused by every campaign of it
//! (`accounts`); the per-campaign routes keep their meaning on top: ask for
//! a QR code, read the connection, start, pause, resume, detach. Each
//! operation checks and changes MySQL first, then nudges the sender fleet
//! (`queue::dispatch`); the sender acts on what the database says.

pub mod accounts;
mod link_admission;
pub mod link_queue;
mod linking_settings;
mod pairing;
mod qr;
mod schedule;
mod start;

use chrono::{DateTime, Utc};

use crate::{
    domain::CampaignStatus,
    error::ApiError,
    queue::{self, CommandKind},
    realtime::{CampaignEvent, Progress},
    repo::{
        campaigns::{self, CampaignRecord},
        whatsapp_accounts::{self, AccountStatus},
    },
    AppContext,
};

pub use link_admission::{admit_pairing_otp, LinkRequest};
pub use link_queue::{Queued, Shown};
pub use linking_settings::LinkingSettings;
pub use pairing::{request_pairing_code, PairingAnswer};
pub use qr::{request_qr, QrAnswer};
pub use schedule::{cancel_schedule, run_scheduler, scheduled, SchedulerReport};
pub use start::{resume, start, Starter};

/// Whether the number the campaign sends from is linked (a sender restores
/// its saved login whenever the campaign needs it), and its last activity.
pub async fn connection(ctx: &AppContext, user_id: i64, id: i64) -> Result<(bool, Option<DateTime<Utc>>), ApiError> {
    let campaign = owned(ctx, user_id, id).await?;
    let account = match campaign.whatsapp_account_id {
        Some(account_id) => whatsapp_accounts::find(&ctx.db, account_id).await?,
        None => None,
    };
    Ok(match account {
        Some(account) => {
            (account.status == AccountStatus::Connected, account.last_activity.max(campaign.last_activity))
        }
        None => (false, campaign.last_activity),
    })
}

/// RUNNING → PAUSED; the sender stops before its next message.
pub async fn pause(ctx: &AppContext, user_id: i64, id: i64) -> Result<CampaignRecord, ApiError> {
    let campaign =
        transition(ctx, user_id, id, &[CampaignStatus::Running, CampaignStatus::Active], CampaignStatus::Paused)
            .await?;
    nudge(ctx, id, CommandKind::Pause).await;
    announce(ctx, &campaign, "paused", "Campaign paused").await;
    Ok(campaign)
}

/// Detach the campaign from its WhatsApp number: a running campaign is
/// paused first (nothing is sent without a number), and the session stops
/// serving it. The number stays linked for its other campaigns; removing
/// it is `DELETE /api/whatsapp-accounts/:id`.
pub async fn cleanup(ctx: &AppContext, user_id: i64, id: i64) -> Result<CampaignRecord, ApiError> {
    let campaign = owned(ctx, user_id, id).await?;
    if matches!(campaign.status, CampaignStatus::Running | CampaignStatus::Active) {
        transition(ctx, user_id, id, &[CampaignStatus::Running, CampaignStatus::Active], CampaignStatus::Paused)
            .await?;
    }
    // The nudge goes to the session that served it, so it is sent first.
    nudge(ctx, id, CommandKind::Cleanup).await;
    whatsapp_accounts::detach_campaign(&ctx.db, id).await?;
    owned(ctx, user_id, id).await
}

async fn owned(ctx: &AppContext, user_id: i64, id: i64) -> Result<CampaignRecord, ApiError> {
    campaigns::find_owned(&ctx.db, id, user_id).await?.ok_or_else(|| ApiError::not_found("Campaign"))
}

/// The first step of linking WhatsApp for a campaign, by QR or by pairing
/// code: the campaign is the caller's and will still send; then the number
/// it links through (`accounts::link_for_campaign`).
async fn prepare_linking(
    ctx: &AppContext,
    user_id: i64,
    id: i64,
    pairing: Option<(&crate::domain::Phone, Option<&str>)>,
) -> Result<accounts::CampaignLink, ApiError> {
    let campaign = owned(ctx, user_id, id).await?;
    if campaign.status.is_finished() {
        return Err(ApiError::Conflict {
            code: "INVALID_CAMPAIGN_STATE",
            message: format!("A {} campaign needs no WhatsApp session", campaign.status),
        });
    }
    accounts::link_for_campaign(ctx, &campaign, pairing).await
}

/// Move the campaign from one of `from` to `to` under a row lock (run
/// again whole if a racing request's locks collide with it).
async fn transition(
    ctx: &AppContext,
    user_id: i64,
    id: i64,
    from: &[CampaignStatus],
    to: CampaignStatus,
) -> Result<CampaignRecord, ApiError> {
    crate::db::retry_transaction(|| async {
        let mut tx = ctx.db.begin().await?;
        let campaign =
            campaigns::lock_owned(&mut *tx, id, user_id).await?.ok_or_else(|| ApiError::not_found("Campaign"))?;
        if !from.contains(&campaign.status) {
            return Err(wrong_state(campaign.status, to));
        }
        campaigns::set_status(&mut *tx, id, to).await?;
        tx.commit().await?;
        Ok(())
    })
    .await?;
    owned(ctx, user_id, id).await
}

fn wrong_state(now: CampaignStatus, wanted: CampaignStatus) -> ApiError {
    ApiError::Conflict { code: "INVALID_CAMPAIGN_STATE", message: format!("A {now} campaign cannot become {wanted}") }
}

/// Tell the fleet; the database change already stands, so a lost nudge only
/// delays the sender until its next look.
async fn nudge(ctx: &AppContext, id: i64, kind: CommandKind) {
    if let Err(err) = queue::dispatch(ctx, id, kind).await {
        tracing::warn!(campaign.id = id, ?kind, error = %err, "could not nudge the sender fleet");
    }
}

async fn announce(ctx: &AppContext, campaign: &CampaignRecord, status: &str, message: &str) {
    let update = CampaignEvent::CampaignUpdate {
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
    };
    ctx.pusher.push(campaign.id, &update).await;
    let status = CampaignEvent::StatusUpdate { status: status.into(), message: message.into() };
    ctx.pusher.push(campaign.id, &status).await;
}
