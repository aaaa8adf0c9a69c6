//! The session's side of the send governor (`shared::governor`): which
//! WhatsApp number the session sends from, claiming each message's
//! recipient, telling the user why a campaign waits, and stopping when
//! WhatsApp restricts the number. The rules and the counting live in
//! `shared::governor`, per number and per recipient; this module only
//! asks and obeys, so a session serving several campaigns of one number
//! can reuse it unchanged.

use std::time::Duration;

use chrono::{DateTime, Utc};
use shared::{
    campaigns::run::{self, Halt},
    domain::Timezone,
    governor::{
        cold::{self, QuotaStatus},
        ledger::{self, CampaignRules, Claim},
        SendWindow, WaitReason,
    },
    repo::{
        deliveries::SendingCampaign,
        whatsapp_accounts::{self, AccountRow},
    },
};

use super::{
    actor::Actor,
    numbers,
    sending::{self, Claimed},
};
use crate::{context::SenderContext, driver::Limit};

/// The answer before a message.
pub enum Gate {
    /// Send one message to the claimed recipient; record the outcome after it.
    Go(Claimed),
    /// The next recipient is never messaged (opted out, known unreachable):
    /// FAILED; the next can be asked for at once.
    Skipped,
    /// Nobody to claim now (see `sending::nobody_left`).
    Nobody,
    /// A rule the user was told about holds the campaign back (until its
    /// stored `waiting_until`).
    Wait,
    /// Another campaign of the number just sent: its pause runs until `until`.
    Hold { until: DateTime<Utc> },
    /// The number is restricted: its campaigns were paused.
    Stopped,
    /// The claim did not hold: the lease is gone, or the campaign stopped.
    Lost,
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

/// May the campaign send its next message now, and to whom? One
/// transaction of the governor's (`ledger::claim`).
pub async fn claim(actor: &Actor, campaign: &SendingCampaign) -> anyhow::Result<Gate> {
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
        floor: sending::interval(ctx, campaign.interval),
    };
    let lease = (ctx.sender_id(), actor.fencing);
    Ok(match ledger::claim(&ctx.db, account_id, rules, lease, &ctx.settings.governor).await? {
        Claim::Go { ticket, recipient, phone, .. } => {
            if ticket.long_break {
                tracing::info!(
                    campaign.id = campaign.id,
                    pause_ms = ticket.pause.as_millis() as u64,
                    "a long break follows"
                );
            }
            Gate::Go(Claimed { ticket, recipient, phone })
        }
        Claim::Skipped { recipient_id, reason } => {
            tracing::info!(campaign.id = campaign.id, recipient.id = recipient_id, reason, "recipient left out");
            sending::skipped(ctx, campaign).await;
            Gate::Skipped
        }
        Claim::Nobody => Gate::Nobody,
        Claim::Hold { until } => Gate::Hold { until },
        Claim::Wait { until, reason } => {
            announce_wait(ctx, campaign.id, until, reason).await?;
            Gate::Wait
        }
        Claim::Restricted { until } => {
            let reason = restricted_reason(until);
            run::pause_with_reason(&ctx.db, &ctx.pusher, Halt::Number(account_id), &reason).await?;
            Gate::Stopped
        }
        Claim::Lost => Gate::Lost,
    })
}

/// Stored, and told once per change: the campaign stays RUNNING.
pub(super) async fn announce_wait(
    ctx: &SenderContext,
    campaign_id: i64,
    until: DateTime<Utc>,
    reason: WaitReason,
) -> anyhow::Result<()> {
    if run::wait(&ctx.db, &ctx.pusher, campaign_id, until, reason).await? {
        tracing::info!(campaign.id = campaign_id, %until, reason = reason.as_str(), "campaign waits");
        crate::ops::record_governor_wait(reason.as_str());
    }
    Ok(())
}

/// Before a message: does WhatsApp Web show that the number is
/// restricted? The account-wide notice pauses every campaign of the number
/// (`true`); without it, a restriction recorded earlier is over: the page
/// is the truth whenever it is seen. The timelock (new chats only) and
/// WhatsApp's new-chat quota are recorded, and sending goes on: the
/// governor holds cold recipients back while chats with people who wrote
/// still work. Nothing here restarts, re-links or logs out.
pub async fn check_restriction(
    actor: &Actor,
    campaign: &SendingCampaign,
    account: &AccountRow,
) -> anyhow::Result<bool> {
    let limit = actor.whatsapp().restriction().await?;
    if let Some(Limit::Account { length }) = limit {
        let length = length.unwrap_or(DEFAULT_RESTRICTION);
        let until = Utc::now() + chrono::TimeDelta::from_std(length).unwrap_or(chrono::TimeDelta::days(1));
        restricted(&actor.ctx, campaign, until).await?;
        return Ok(true);
    }
    let ctx = &actor.ctx;
    let account_id = account.id;
    if account.restricted_until.is_some() {
        whatsapp_accounts::clear_restriction(&ctx.db, account_id).await?;
    }
    if let Some(Limit::NewChats { until }) = limit {
        let on = account.timelock_until;
        if until.is_some() || on.is_none_or(|on| on <= Utc::now()) {
            // Only its "Show details" says when it ends: asked once per timelock.
            let until = match until {
                Some(until) => Some(until),
                None => actor.whatsapp().timelock_end().await?,
            };
            // No end read, and the bar is gone now: it lifted as we looked
            // (its last second), not a new timelock of unknown length.
            let lifted =
                until.is_none() && !matches!(actor.whatsapp().restriction().await?, Some(Limit::NewChats { .. }));
            if !lifted {
                record_timelock(ctx, account_id, until).await?;
            }
        }
    }
    if let Some(quota) = actor.whatsapp().new_chat_quota().await? {
        if account.whatsapp_quota() != Some(quota) {
            whatsapp_accounts::record_quota(&ctx.db, account_id, &quota).await?;
            tracing::info!(
                account.id = account_id,
                status = quota.status.as_str(),
                quota.used,
                quota.total,
                "WhatsApp's new-chat quota"
            );
            let message = match quota.status {
                QuotaStatus::None => "WhatsApp's count of messages to new people changed for this number",
                _ => {
                    "WhatsApp warns that this number is near its limit of messages to new people; those wait, \
                      people who wrote to it still get theirs"
                }
            };
            numbers::announce(ctx, account_id, message).await?;
        }
    }
    Ok(false)
}

/// WhatsApp's timelock closes new chats: until the time it states, or
/// `TIMELOCK_RECHECK_SECONDS` (24 h) when it states none — then not pushed
/// further at every look.
pub async fn record_timelock(
    ctx: &SenderContext,
    account_id: i64,
    until: Option<DateTime<Utc>>,
) -> anyhow::Result<DateTime<Utc>> {
    let before = whatsapp_accounts::find(&ctx.db, account_id).await?.and_then(|a| a.timelock_until);
    let recorded = match until {
        Some(until) => {
            whatsapp_accounts::record_timelock(&ctx.db, account_id, until).await?;
            until
        }
        None => {
            let assumed = cold::timelock_end(Utc::now(), None, ctx.settings.timelock_recheck);
            whatsapp_accounts::record_timelock_unless_on(&ctx.db, account_id, assumed).await?;
            let account = whatsapp_accounts::find(&ctx.db, account_id).await?;
            account.and_then(|a| a.timelock_until).unwrap_or(assumed)
        }
    };
    if before != Some(recorded) {
        tracing::warn!(account.id = account_id, until = %recorded, "WhatsApp's timelock closes new chats");
        let message = format!(
            "WhatsApp closed new chats for this number until {}; people who wrote to it still get their messages, \
             the others wait. It lifts by itself: do not log out or link again",
            recorded.format("%Y-%m-%d %H:%M UTC")
        );
        numbers::announce(ctx, account_id, &message).await?;
    }
    Ok(recorded)
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
    let reason = restricted_reason(until);
    let halt = match campaign.whatsapp_account_id {
        Some(account_id) => {
            whatsapp_accounts::record_restriction(&ctx.db, account_id, until, &reason).await?;
            Halt::Number(account_id)
        }
        None => Halt::Campaign(campaign.id),
    };
    run::pause_with_reason(&ctx.db, &ctx.pusher, halt, &reason).await?;
    Ok(())
}
