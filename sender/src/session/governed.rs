//! The session's side of the send governor (`shared::governor`): which
//! WhatsApp number the session sends from, asking before each message,
//! telling the user why a campaign waits, settling each send, and stopping
//! when the breaker trips or WhatsApp restricts the number. The rules and
//! the counting live in `shared::governor`, per number; this module only
//! asks and obeys, so a session serving several campaigns of one number
//! can reuse it unchanged.

use std::time::Duration;

use chrono::{DateTime, Utc};
use shared::{
    domain::Timezone,
    governor::{
        ledger::{self, CampaignRules, Reservation, Settled},
        SendWindow, WaitReason,
    },
    realtime::CampaignEvent,
    repo::{deliveries, deliveries::SendingCampaign, waiting, whatsapp_accounts},
    sessions::accounts,
};

use super::{
    actor::Actor,
    sending::{self, Failure, Step},
};
use crate::{context::SenderContext, driver::Limit};

/// The answer before a message.
pub enum Gate {
    /// Send one message; settle the ticket after it.
    Go(Ticket),
    /// A rule the user was told about holds the campaign back (until its
    /// stored `waiting_until`).
    Wait,
    /// Another campaign of the number just sent: its pause runs until `until`.
    Hold { until: DateTime<Utc> },
    /// The number is restricted: its campaigns were paused.
    Stopped,
}

/// A reserved send.
#[derive(Debug, Clone, Copy)]
pub struct Ticket {
    account_id: i64,
    send_id: i64,
    /// The pause after this message (jitter and breaks included).
    pub pause: Duration,
}

/// After the scan (or a restored login): the number WhatsApp Web shows as
/// its own is the account's — an older record of the same number is folded
/// in, so its caps keep counting. A page that hides it leaves the account
/// without a number; the caps still count per account.
pub async fn bind_number(actor: &Actor) -> anyhow::Result<()> {
    let ctx = &actor.ctx;
    // WhatsApp's own record: 8–15 digits with the country code.
    let Some(phone) = actor.whatsapp().own_number().await.ok().flatten() else {
        tracing::warn!(account.id = actor.account_id, "WhatsApp Web did not show its own number");
        return Ok(());
    };
    if let Some(stale) = whatsapp_accounts::bind_phone(&ctx.db, actor.account_id, &phone).await? {
        // The older record's saved login (another device of the same number).
        ctx.storage.delete(&stale).await?;
    }
    tracing::info!(account.id = actor.account_id, "the account knows its number");
    Ok(())
}

/// May the campaign send its next message now?
pub async fn gate(actor: &Actor, campaign: &SendingCampaign) -> anyhow::Result<Gate> {
    let ctx = &actor.ctx;
    // The session serves only its account's campaigns.
    let account_id = actor.account_id;
    let window = match (&campaign.send_window_start, &campaign.send_window_end) {
        (Some(start), Some(end)) => SendWindow::parse(start, end).ok(),
        _ => None,
    };
    let rules = CampaignRules {
        campaign_id: campaign.id,
        window: window.as_ref(),
        timezone: Timezone::from_stored(&campaign.timezone).tz(),
        floor: sending::interval(ctx, &campaign.send_interval),
    };
    Ok(match ledger::reserve(&ctx.db, account_id, rules, &ctx.settings.governor).await? {
        Reservation::Go { send_id, pause, long_break } => {
            waiting::clear(&ctx.db, campaign.id).await?;
            if long_break {
                tracing::info!(campaign.id = campaign.id, pause_ms = pause.as_millis() as u64, "a long break follows");
            }
            Gate::Go(Ticket { account_id, send_id, pause })
        }
        Reservation::Hold { until } => Gate::Hold { until },
        Reservation::Wait { until, reason } => {
            announce_wait(ctx, campaign.id, until, reason).await?;
            Gate::Wait
        }
        Reservation::Restricted { until } => {
            let reason = restricted_reason(until);
            accounts::pause_campaigns(&ctx.db, &ctx.pusher, account_id, &reason).await?;
            Gate::Stopped
        }
    })
}

/// Stored, and told once per change: the campaign stays RUNNING.
pub(super) async fn announce_wait(
    ctx: &SenderContext,
    campaign_id: i64,
    until: DateTime<Utc>,
    reason: WaitReason,
) -> anyhow::Result<()> {
    if waiting::set(&ctx.db, campaign_id, until, reason.as_str()).await? {
        tracing::info!(campaign.id = campaign_id, %until, reason = reason.as_str(), "campaign waits");
        crate::ops::record_governor_wait(reason.as_str());
        ctx.pusher.push(campaign_id, &CampaignEvent::Waiting { waiting_until: until, reason }).await;
    }
    Ok(())
}

/// Record how the reserved send ended; a tripped breaker pauses the campaign.
pub async fn settle(
    actor: &Actor,
    campaign_id: i64,
    ticket: Ticket,
    step: &anyhow::Result<Step>,
) -> anyhow::Result<()> {
    let ctx = &actor.ctx;
    let outcome = match step {
        Ok(Step::Sent(_)) => Settled::Sent,
        Ok(Step::Failed(Failure::Unconfirmed)) => Settled::Unconfirmed,
        Ok(Step::Failed(Failure::NotOnWhatsApp)) => Settled::NotOnWhatsApp,
        Ok(Step::Failed(Failure::Other)) => Settled::Failed,
        // Nothing was typed: the reservation is given back.
        Ok(
            Step::Failed(Failure::Skipped)
            | Step::LoggedOut
            | Step::Finished
            | Step::Stopped
            | Step::Deferred
            | Step::Waiting
            | Step::LostLease,
        )
        | Err(_) => {
            return Ok(ledger::cancel(&ctx.db, ticket.send_id).await?);
        }
    };
    if let Some(trip) = ledger::settle(&ctx.db, ticket.account_id, ticket.send_id, outcome).await? {
        let reason = trip.reason();
        if deliveries::pause_with_reason(&ctx.db, campaign_id, &reason).await? {
            tracing::warn!(campaign.id = campaign_id, ?trip, "breaker tripped; campaign paused");
            ctx.pusher.push(campaign_id, &CampaignEvent::ErrorUpdate { error: reason }).await;
        }
    }
    Ok(())
}

/// Before a message: does WhatsApp Web show that the number is
/// restricted? The account-wide notice pauses every campaign of the number
/// (`true`); without it, a restriction recorded earlier is over: the page
/// is the truth whenever it is seen. The timelock (new chats only) is
/// recorded and sending goes on: chats with people who wrote still work.
pub async fn check_restriction(actor: &Actor, campaign: &SendingCampaign) -> anyhow::Result<bool> {
    let limit = actor.whatsapp().restriction().await?;
    if let Some(Limit::Account { length }) = limit {
        let length = length.unwrap_or(DEFAULT_RESTRICTION);
        let until = Utc::now() + chrono::TimeDelta::from_std(length).unwrap_or(chrono::TimeDelta::days(1));
        restricted(&actor.ctx, campaign, until).await?;
        return Ok(true);
    }
    if let Some(account_id) = campaign.whatsapp_account_id {
        whatsapp_accounts::clear_restriction(&actor.ctx.db, account_id).await?;
        if let Some(Limit::NewChats { until: Some(until) }) = limit {
            whatsapp_accounts::record_timelock(&actor.ctx.db, account_id, until).await?;
        }
    }
    Ok(false)
}

/// How long an account restriction lasts when the notice does not say.
const DEFAULT_RESTRICTION: Duration = Duration::from_secs(24 * 3600);

fn restricted_reason(until: DateTime<Utc>) -> String {
    format!(
        "Paused for safety: WhatsApp restricted this number until {}. Every campaign of the number is paused; \
         resume after the restriction ends",
        until.format("%Y-%m-%d %H:%M UTC")
    )
}

/// WhatsApp showed the restriction notice: the number is restricted until
/// `until`, and every running campaign of it pauses.
pub async fn restricted(ctx: &SenderContext, campaign: &SendingCampaign, until: DateTime<Utc>) -> anyhow::Result<()> {
    let Some(account_id) = campaign.whatsapp_account_id else {
        let reason = restricted_reason(until);
        deliveries::pause_with_reason(&ctx.db, campaign.id, &reason).await?;
        ctx.pusher.push(campaign.id, &CampaignEvent::ErrorUpdate { error: reason }).await;
        return Ok(());
    };
    let reason = restricted_reason(until);
    whatsapp_accounts::record_restriction(&ctx.db, account_id, until, &reason).await?;
    accounts::pause_campaigns(&ctx.db, &ctx.pusher, account_id, &reason).await?;
    Ok(())
}
