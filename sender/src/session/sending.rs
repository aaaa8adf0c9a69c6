//! One message at a time: the governor has claimed the next recipient
//! with everything the message needs (`governed::claim`); the message is
//! typed and sent, its outcome recorded in one statement with the
//! campaign's counters, the number's ledger and the user's quota, and the
//! progress pushed. When nobody is left, the campaign completes.

use std::{path::PathBuf, time::Duration};

use shared::{
    campaigns::run::{self, Halt},
    domain::{Interval, Phone},
    governor::{
        breaker::Trip,
        ledger::{self, Back, Settled, Ticket},
        pacing, WaitReason,
    },
    realtime::{CampaignEvent, Progress},
    repo::{
        deliveries::{self, NextRecipient, SendingAttachment, SendingCampaign},
        session_leases, unreachable_numbers,
    },
};

use super::{actor::Actor, drift, governed, personal, receipts};
use crate::{
    context::SenderContext,
    driver::{MessageStatus, SendError, SendOutcome},
};

/// What one step did.
pub enum Step {
    Sent(Delivery),
    /// Not sent, or not confirmed: recorded as such.
    Failed,
    /// The page showed the QR: nothing was sent; the login handling takes over.
    LoggedOut,
    /// Every recipient is handled; the campaign is COMPLETED.
    Finished,
    /// WhatsApp Web changed (a hook drifted, or the UI is not English): the
    /// campaign is PAUSED with the reason, diagnostics are saved.
    Stopped,
    /// WhatsApp's timelock closed the recipient's chat: nothing was sent,
    /// the recipient waits for it to lift, the next one can go at once (or
    /// a deferred recipient's time came just as the others ran out).
    Deferred,
    /// Everyone left waits for the timelock to lift: the campaign waits
    /// (`WHATSAPP_TIMELOCK`) until the first of them may be tried again.
    Waiting,
    LostLease,
}

/// A sent message whose ticks are being watched.
pub struct Delivery {
    campaign_id: i64,
    recipient_id: i64,
    phone: Phone,
    /// The campaign's figures with this message sent.
    progress: Progress,
}

/// A recipient the governor claimed for one message.
pub struct Claimed {
    pub ticket: Ticket,
    pub recipient: Box<NextRecipient>,
    pub phone: Phone,
}

/// The pause between two messages: the campaign's, unless overridden for
/// tests and demos.
pub fn interval(ctx: &SenderContext, interval: Interval) -> Duration {
    ctx.settings.interval_override.unwrap_or(Duration::from_secs(interval.seconds()))
}

/// What happens when the governor finds nobody to claim: a session that
/// lost its lease stops; a campaign detached meanwhile is not this
/// session's to complete; recipients held back by the timelock make it
/// wait (or go at once when their time came just now); otherwise every
/// recipient is handled and the campaign is COMPLETED.
pub async fn nobody_left(actor: &Actor, campaign: &SendingCampaign) -> anyhow::Result<Step> {
    let ctx = &actor.ctx;
    if !session_leases::still_held(&ctx.db, actor.account_id, ctx.sender_id(), actor.fencing).await? {
        return Ok(Step::LostLease);
    }
    if deliveries::campaign(&ctx.db, campaign.id).await?.and_then(|c| c.whatsapp_account_id) != Some(actor.account_id) {
        return Ok(Step::Stopped);
    }
    if let Some(until) = deliveries::next_deferred(&ctx.db, campaign.id).await? {
        if until <= chrono::Utc::now() {
            return Ok(Step::Deferred);
        }
        governed::announce_wait(ctx, campaign.id, until, WaitReason::WhatsappTimelock).await?;
        return Ok(Step::Waiting);
    }
    // COMPLETED, reported to the frontend by the campaign's owner.
    run::complete(&ctx.db, &ctx.pusher, campaign.id).await?;
    Ok(Step::Finished)
}

/// Send the claimed recipient their message and record how it went.
pub async fn send(actor: &mut Actor, campaign: &SendingCampaign, claimed: Claimed) -> anyhow::Result<Step> {
    let ctx = actor.ctx.clone();
    let Claimed { ticket, recipient, phone } = claimed;
    let ids = (campaign.id, recipient.id);
    let attachment = match recipient.attachment() {
        Some(attachment) => Some(attachment_file(actor, campaign.id, &attachment).await?),
        None => None,
    };
    let text = personal::text_for(campaign, &recipient);
    let whatsapp = actor.whatsapp();
    let typing = pacing::typing_for(&text, &ctx.settings.governor);
    let result = match &attachment {
        Some((file, mime)) => whatsapp.send_media_typing(&phone, file, mime, &text, typing).await,
        None => whatsapp.send_text_typing(&phone, &text, typing).await,
    };
    crate::ops::record_send(&result);
    let account_id = actor.account_id;
    match result {
        Ok(SendOutcome::Sent { .. }) => {
            ledger::record(&ctx.db, account_id, ids, ticket, Settled::Sent).await?;
            let progress = figures(campaign, 1, 0);
            push_progress(&ctx, campaign.id, &progress).await;
            Ok(Step::Sent(Delivery { campaign_id: campaign.id, recipient_id: recipient.id, phone, progress }))
        }
        Ok(SendOutcome::NewChatsRestricted { until }) => {
            // A timelock signal, not a failure: never retried at once, never
            // a reason to re-link; the recipient stays PENDING until it lifts
            // and the governor holds the number's other cold sends back.
            let until = governed::record_timelock(&ctx, account_id, until).await?;
            ledger::give_back(&ctx.db, recipient.id, ticket, Back::After(until)).await?;
            tracing::warn!(campaign.id = campaign.id, recipient.id = recipient.id, %until,
                "WhatsApp's timelock closes new chats: the recipient waits for it to lift");
            Ok(Step::Deferred)
        }
        Ok(SendOutcome::NotOnWhatsApp(reason)) => {
            unreachable_numbers::remember(&ctx.db, campaign.user_id, phone.as_str()).await?;
            let error = format!("not on WhatsApp: {reason}");
            record_failure(&ctx, campaign, account_id, ids, ticket, Settled::NotOnWhatsApp(&error)).await?;
            Ok(Step::Failed)
        }
        Err(SendError::LoggedOut) => {
            ledger::give_back(&ctx.db, recipient.id, ticket, Back::InLine).await?;
            Ok(Step::LoggedOut)
        }
        Err(err @ SendError::Unconfirmed(_)) => {
            // Never guessed either way: UNKNOWN, and never sent again.
            record_failure(&ctx, campaign, account_id, ids, ticket, Settled::Unconfirmed(&err.to_string())).await?;
            Ok(Step::Failed)
        }
        Err(err @ (SendError::Timeout { .. } | SendError::EmptyMessage | SendError::Attachment { .. })) => {
            record_failure(&ctx, campaign, account_id, ids, ticket, Settled::Failed(&err.to_string())).await?;
            Ok(Step::Failed)
        }
        Err(err @ (SendError::HookMissing { .. } | SendError::UiLanguage(_))) => {
            if err.may_have_been_sent() {
                record_failure(&ctx, campaign, account_id, ids, ticket, Settled::Unconfirmed(&err.to_string())).await?;
            } else {
                ledger::give_back(&ctx.db, recipient.id, ticket, Back::InLine).await?;
            }
            drift::stop_campaign(actor, campaign.id, &err).await?;
            Ok(Step::Stopped)
        }
        Err(SendError::Browser(err)) => {
            // Nothing was sent (the button was never pressed): put the
            // recipient back and let the session end; another try reopens it.
            ledger::give_back(&ctx.db, recipient.id, ticket, Back::InLine).await?;
            Err(err.into())
        }
    }
}

/// A failed or unconfirmed message: recorded, the progress pushed, and a
/// tripped breaker pauses the campaign.
async fn record_failure(
    ctx: &SenderContext,
    campaign: &SendingCampaign,
    account_id: i64,
    ids: (i64, i64),
    ticket: Ticket,
    outcome: Settled<'_>,
) -> anyhow::Result<()> {
    let trip = ledger::record(&ctx.db, account_id, ids, ticket, outcome).await?;
    push_progress(ctx, campaign.id, &figures(campaign, 0, 1)).await;
    if let Some(trip) = trip {
        breaker_tripped(ctx, campaign.id, trip).await?;
    }
    Ok(())
}

async fn breaker_tripped(ctx: &SenderContext, campaign_id: i64, trip: Trip) -> anyhow::Result<()> {
    let paused = run::pause_with_reason(&ctx.db, &ctx.pusher, Halt::Campaign(campaign_id), &trip.reason()).await?;
    if !paused.is_empty() {
        tracing::warn!(campaign.id = campaign_id, ?trip, "breaker tripped; campaign paused");
    }
    Ok(())
}

/// A recipient the rules left out was FAILED: the figures show it.
pub async fn skipped(ctx: &SenderContext, campaign: &SendingCampaign) {
    push_progress(ctx, campaign.id, &figures(campaign, 0, 1)).await;
}

/// The campaign's attachment as a local file, downloaded from S3 once per
/// session.
async fn attachment_file(
    actor: &mut Actor,
    campaign_id: i64,
    attachment: &SendingAttachment,
) -> anyhow::Result<(PathBuf, String)> {
    if let Some(file) = actor.attachment_files.get(&campaign_id) {
        return Ok((file.clone(), attachment.mimetype.clone()));
    }
    let object = actor
        .ctx
        .storage
        .get(&attachment.path)
        .await?
        .ok_or_else(|| anyhow::anyhow!("the attachment is missing from storage"))?;
    // WhatsApp shows the file's own name, so it keeps the user's.
    let name: String = attachment.original_name.chars().map(|c| if c == '/' || c == '\\' { '_' } else { c }).collect();
    let dir = actor.ctx.settings.profile_dir.join(format!("campaign-{campaign_id}-files"));
    tokio::fs::create_dir_all(&dir).await?;
    let file = dir.join(name);
    tokio::fs::write(&file, &object.bytes).await?;
    actor.attachment_files.insert(campaign_id, file.clone());
    Ok((file, attachment.mimetype.clone()))
}

/// Whether the watch is over: the message shows two ticks (recorded as
/// DELIVERED once) and then blue ones (see `receipts`).
pub async fn check_delivered(actor: &Actor, delivery: &mut Delivery) -> anyhow::Result<bool> {
    let status = actor.whatsapp().message_status(&delivery.phone).await?;
    let Some(status) = status.filter(|s| *s >= MessageStatus::Delivered) else { return Ok(false) };
    if deliveries::record_delivered(&actor.ctx.db, delivery.recipient_id).await? {
        delivery.progress.delivered += 1;
        push_progress(&actor.ctx, delivery.campaign_id, &delivery.progress).await;
    }
    receipts::follow(&actor.ctx, delivery.recipient_id, status).await
}

/// The campaign's figures as of the turn's read, with this session's
/// latest outcome added: the session is the only one recording its
/// campaign's messages, so nothing is re-read.
fn figures(campaign: &SendingCampaign, sent: i64, failed: i64) -> Progress {
    Progress::new(
        campaign.total_recipients.into(),
        i64::from(campaign.sent_count) + sent,
        i64::from(campaign.failed_count) + failed,
        campaign.delivered_count.into(),
    )
}

async fn push_progress(ctx: &SenderContext, campaign_id: i64, progress: &Progress) {
    ctx.pusher.push(campaign_id, &CampaignEvent::ProgressUpdate { progress: progress.clone() }).await;
}
