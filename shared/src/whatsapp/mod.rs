//! Linking the users' WhatsApp numbers. A number is linked once and reused
//! by every campaign of it (`numbers`); the per-campaign routes keep their
//! meaning on top: link by QR code (`link_by_qr`) or pairing code
//! (`link_by_code`), read the connection. Admission (`link_admission`) and
//! the queue for a browser (`link_queue`) bound who may link and when.
//! Each operation checks and changes MySQL first, then nudges the sender
//! fleet (`queue::dispatch`); the sender acts on what the database says.
//! A campaign's own life (start, pause, …) is `campaigns::run`'s.

mod link_admission;
mod link_by_code;
mod link_by_qr;
pub mod link_queue;
mod linking_settings;
pub mod numbers;

use chrono::{DateTime, Utc};

use crate::{
    error::ApiError,
    repo::{
        campaigns::{self, CampaignRecord},
        whatsapp_accounts::{self, AccountStatus},
    },
    AppContext,
};

pub use link_admission::{admit_pairing_otp, LinkRequest};
pub use link_by_code::{request_pairing_code, PairingAnswer};
pub use link_by_qr::{request_qr, QrAnswer};
pub use link_queue::{Queued, Shown};
pub use linking_settings::LinkingSettings;

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

async fn owned(ctx: &AppContext, user_id: i64, id: i64) -> Result<CampaignRecord, ApiError> {
    campaigns::find_owned(&ctx.db, id, user_id).await?.ok_or_else(|| ApiError::not_found("Campaign"))
}

/// The first step of linking WhatsApp for a campaign, by QR or by pairing
/// code: the campaign is the caller's and will still send; then the number
/// it links through (`numbers::link_for_campaign`).
async fn prepare_linking(
    ctx: &AppContext,
    user_id: i64,
    id: i64,
    pairing: Option<(&crate::domain::Phone, Option<&str>)>,
) -> Result<numbers::CampaignLink, ApiError> {
    let campaign = owned(ctx, user_id, id).await?;
    if campaign.status.is_finished() {
        return Err(ApiError::Conflict {
            code: "INVALID_CAMPAIGN_STATE",
            message: format!("A {} campaign needs no WhatsApp session", campaign.status),
        });
    }
    numbers::link_for_campaign(ctx, &campaign, pairing).await
}
