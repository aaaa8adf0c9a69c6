//! WhatsApp accounts as the API drives them. A number is linked once (one
//! scan) and its session then serves every campaign that sends from it: link
//! a new number, read one, remove one (its session logs the device out on
//! WhatsApp and forgets the login), and find the number a campaign links
//! through for the per-campaign routes.

use super::{
    link_admission::{self, LinkRequest},
    link_queue::{self, Shown},
};
use crate::{
    campaigns::run::{self, Halt},
    domain::Phone,
    error::ApiError,
    queue::{self, CommandKind},
    repo::{
        campaigns::CampaignRecord,
        pairing,
        whatsapp_accounts::{self, AccountRow, AccountStatus},
    },
    AppContext,
};

/// A number being linked, and what its session showed within the wait
/// (or where it waits for a browser).
pub struct Linking {
    pub account: AccountRow,
    pub shown: Shown,
}

/// `POST /api/whatsapp-accounts`: a new number to link, by QR or (with
/// `pairing`: the phone, and the one-time code that confirms it unless it
/// is the user's own proven phone) by pairing code. Later QRs and codes
/// follow as events.
pub async fn link_new(
    ctx: &AppContext,
    user_id: i64,
    pairing: Option<(&Phone, Option<&str>)>,
) -> Result<Linking, ApiError> {
    let mut tx = link_admission::admit(ctx, user_id, LinkRequest { starts_link: true, pairing }).await?;
    let account_id = whatsapp_accounts::create_linking(&mut *tx, user_id).await?;
    if let Some((phone, _)) = pairing {
        pairing::request(&mut *tx, account_id, phone.as_str()).await?;
    }
    tx.commit().await?;
    nudge(ctx, account_id, CommandKind::Open).await;
    let shown = link_queue::wait_for_code(ctx, account_id, pairing.is_some()).await?;
    Ok(Linking { account: find(ctx, user_id, account_id).await?, shown })
}

/// One of the user's accounts (a removed one is not found).
pub async fn find(ctx: &AppContext, user_id: i64, account_id: i64) -> Result<AccountRow, ApiError> {
    whatsapp_accounts::find_owned(&ctx.db, account_id, user_id)
        .await?
        .ok_or_else(|| ApiError::not_found("WhatsApp account"))
}

/// `DELETE /api/whatsapp-accounts/:id`: its campaigns stop (paused with the
/// reason; they cannot start again on it), and its session logs the device
/// out on WhatsApp — so the phone's Linked devices no longer lists it — and
/// forgets the login.
pub async fn remove(ctx: &AppContext, user_id: i64, account_id: i64) -> Result<AccountRow, ApiError> {
    let account = find(ctx, user_id, account_id).await?;
    let reason = removed_reason(&account);
    whatsapp_accounts::set_status(&ctx.db, account_id, AccountStatus::Removed, Some(&reason), None).await?;
    run::pause_with_reason(&ctx.db, &ctx.pusher, Halt::Number(account_id), &reason).await?;
    nudge(ctx, account_id, CommandKind::LogOut).await;
    tracing::info!(account.id = account_id, "WhatsApp account removed");
    Ok(AccountRow { status: AccountStatus::Removed, status_reason: Some(reason), ..account })
}

fn removed_reason(account: &AccountRow) -> String {
    let number = account.phone.as_deref().map(|p| format!(" +{p}")).unwrap_or_default();
    format!("The WhatsApp number{number} was removed; link a number to send this campaign")
}

/// Why a campaign cannot send from its account, if it cannot.
pub(crate) fn refusal(account: Option<&AccountRow>) -> Option<ApiError> {
    let refuse = |code, message: String| Some(ApiError::BusinessRule { code, message });
    match account {
        Some(account) if account.status == AccountStatus::Connected => None,
        Some(account) if account.status == AccountStatus::Removed => {
            refuse("WHATSAPP_ACCOUNT_REMOVED", removed_reason(account))
        }
        _ => refuse(
            "WHATSAPP_NOT_CONNECTED",
            "WhatsApp is not connected; request a QR code and scan it first".to_owned(),
        ),
    }
}

/// How the per-campaign routes link a campaign.
pub(super) enum CampaignLink {
    /// It sends from a connected number (its own, or the owner's one just
    /// attached): nothing to scan.
    Connected,
    /// This account is being linked for it.
    Linking(i64),
}

/// The number a campaign links through: its own if connected; else the
/// owner's connected number (the most recently active); else a number being
/// linked — its own being relinked, or a new one. Starting a link (and any
/// pairing code) passes the admission rules first.
pub(super) async fn link_for_campaign(
    ctx: &AppContext,
    campaign: &CampaignRecord,
    pairing: Option<(&Phone, Option<&str>)>,
) -> Result<CampaignLink, ApiError> {
    let own = match campaign.whatsapp_account_id {
        Some(id) => whatsapp_accounts::find(&ctx.db, id).await?,
        None => None,
    };
    if own.as_ref().is_some_and(|a| a.status == AccountStatus::Connected) {
        return Ok(CampaignLink::Connected);
    }
    if let Some(connected) = whatsapp_accounts::connected_of(&ctx.db, campaign.user_id).await?.first() {
        whatsapp_accounts::attach_campaign(&ctx.db, campaign.id, connected.id).await?;
        tracing::info!(campaign.id = campaign.id, account.id = connected.id, "campaign sends from a linked number");
        return Ok(CampaignLink::Connected);
    }
    let relink = own.filter(|own| own.status != AccountStatus::Removed);
    // Asking again for a number already LINKING starts nothing new.
    let starts_link = relink.as_ref().is_none_or(|own| own.status != AccountStatus::Linking);
    let mut tx = match (starts_link, pairing) {
        (false, None) => ctx.db.begin().await?,
        _ => link_admission::admit(ctx, campaign.user_id, LinkRequest { starts_link, pairing }).await?,
    };
    let account_id = match relink {
        Some(own) => {
            whatsapp_accounts::mark_linking(&mut *tx, own.id).await?;
            own.id
        }
        None => {
            let id = whatsapp_accounts::create_linking(&mut *tx, campaign.user_id).await?;
            whatsapp_accounts::attach_campaign(&mut *tx, campaign.id, id).await?;
            id
        }
    };
    if let Some((phone, _)) = pairing {
        pairing::request(&mut *tx, account_id, phone.as_str()).await?;
    }
    tx.commit().await?;
    Ok(CampaignLink::Linking(account_id))
}

/// The default number of a new campaign: the owner's only connected one.
pub async fn default_for_new_campaign(ctx: &AppContext, user_id: i64) -> Result<Option<i64>, ApiError> {
    let connected = whatsapp_accounts::connected_of(&ctx.db, user_id).await?;
    Ok(match connected.as_slice() {
        [only] => Some(only.id),
        _ => None,
    })
}

/// Tell the fleet; the database change already stands.
pub(super) async fn nudge(ctx: &AppContext, account_id: i64, kind: CommandKind) {
    if let Err(err) = queue::dispatch_account(ctx, account_id, kind).await {
        tracing::warn!(account.id = account_id, ?kind, error = %err, "could not nudge the sender fleet");
    }
}
