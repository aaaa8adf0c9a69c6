//! One message at a time: claim the next recipient (marked SENDING under the
//! lease), send, record the outcome with the campaign's counters and the
//! user's quota in one transaction, push the progress. When nobody is left,
//! complete the campaign.

use std::{path::PathBuf, time::Duration};

use shared::{
    campaigns::run,
    domain::{Interval, Phone},
    governor::{cold, pacing, WaitReason},
    realtime::{CampaignEvent, Progress},
    repo::{
        deliveries::{self, SendingCampaign},
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
    Failed(Failure),
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

/// Why a recipient failed, as the send governor counts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    NotOnWhatsApp,
    /// Handed to WhatsApp, never confirmed (may have left).
    Unconfirmed,
    /// Known not to be on WhatsApp from an earlier campaign: nothing was opened.
    Skipped,
    Other,
}

/// How long a number found not on WhatsApp is remembered per owner.
const UNREACHABLE_FOR: chrono::TimeDelta = chrono::TimeDelta::days(30);

/// A sent message whose ticks are being watched.
pub struct Delivery {
    campaign_id: i64,
    recipient_id: i64,
    phone: Phone,
}

/// The pause between two messages: the campaign's, unless overridden for
/// tests and demos.
pub fn interval(ctx: &SenderContext, interval: Interval) -> Duration {
    ctx.settings.interval_override.unwrap_or(Duration::from_secs(interval.seconds()))
}

pub async fn send_next(actor: &mut Actor, campaign: &SendingCampaign) -> anyhow::Result<Step> {
    let ctx = actor.ctx.clone();
    personal::drop_opted_out(&ctx, campaign.id).await?;
    let Some(recipient) = deliveries::claim_next(&ctx.db, campaign.id, ctx.sender_id(), actor.fencing).await? else {
        if !session_leases::still_held(&ctx.db, actor.account_id, ctx.sender_id(), actor.fencing).await? {
            return Ok(Step::LostLease);
        }
        // Detached meanwhile: not ours to complete.
        if deliveries::campaign(&ctx.db, campaign.id).await?.and_then(|c| c.whatsapp_account_id)
            != Some(actor.account_id)
        {
            return Ok(Step::Stopped);
        }
        // Held back by the timelock is not done: wait for the first of them
        // (whose time may have come just now: then take it at once).
        if let Some(until) = deliveries::next_deferred(&ctx.db, campaign.id).await? {
            if until <= chrono::Utc::now() {
                return Ok(Step::Deferred);
            }
            governed::announce_wait(&ctx, campaign.id, until, WaitReason::WhatsappTimelock).await?;
            return Ok(Step::Waiting);
        }
        // COMPLETED, reported to the frontend by the campaign's owner.
        run::complete(&ctx.db, &ctx.pusher, campaign.id).await?;
        return Ok(Step::Finished);
    };
    let phone = match Phone::from_stored(&recipient.phone) {
        Ok(phone) => phone,
        Err(err) => {
            record_failure(&ctx, campaign, recipient.id, &format!("invalid phone number: {err}")).await?;
            return Ok(Step::Failed(Failure::Other));
        }
    };
    let since = chrono::Utc::now() - UNREACHABLE_FOR;
    if let Some(seen) = unreachable_numbers::seen_since(&ctx.db, campaign.user_id, phone.as_str(), since).await? {
        let error = format!("not on WhatsApp (found so on {})", seen.format("%Y-%m-%d"));
        record_failure(&ctx, campaign, recipient.id, &error).await?;
        return Ok(Step::Failed(Failure::Skipped));
    }
    let attachment = attachment_file(actor, campaign.id).await?;
    let text = personal::text_for(&ctx, campaign, &recipient).await?;
    let whatsapp = actor.whatsapp();
    let typing = pacing::typing_for(&text, &ctx.settings.governor);
    let result = match &attachment {
        Some((file, mime)) => whatsapp.send_media_typing(&phone, file, mime, &text, typing).await,
        None => whatsapp.send_text_typing(&phone, &text, typing).await,
    };
    crate::ops::record_send(&result);
    match result {
        Ok(SendOutcome::Sent { .. }) => {
            let mut tx = ctx.db.begin().await?;
            deliveries::record_sent(&mut tx, campaign.id, recipient.id).await?;
            shared::commerce::quota::consume_one(&mut tx, campaign.id).await?;
            tx.commit().await?;
            push_progress(&ctx, campaign.id).await?;
            Ok(Step::Sent(Delivery { campaign_id: campaign.id, recipient_id: recipient.id, phone }))
        }
        Ok(SendOutcome::NewChatsRestricted { until }) => {
            // A timelock signal, not a failure: never retried at once, never
            // a reason to re-link; the recipient stays PENDING until it lifts
            // and the governor holds the number's other cold sends back.
            let until = match campaign.whatsapp_account_id {
                Some(account_id) => governed::record_timelock(&ctx, account_id, until).await?,
                None => cold::timelock_end(chrono::Utc::now(), until, ctx.settings.timelock_recheck),
            };
            deliveries::defer(&ctx.db, recipient.id, until).await?;
            tracing::warn!(campaign.id = campaign.id, recipient.id = recipient.id, %until,
                "WhatsApp's timelock closes new chats: the recipient waits for it to lift");
            Ok(Step::Deferred)
        }
        Ok(SendOutcome::NotOnWhatsApp(reason)) => {
            unreachable_numbers::remember(&ctx.db, campaign.user_id, phone.as_str()).await?;
            record_failure(&ctx, campaign, recipient.id, &format!("not on WhatsApp: {reason}")).await?;
            Ok(Step::Failed(Failure::NotOnWhatsApp))
        }
        Err(SendError::LoggedOut) => {
            deliveries::unclaim(&ctx.db, recipient.id).await?;
            Ok(Step::LoggedOut)
        }
        Err(err @ SendError::Unconfirmed(_)) => {
            // Never guessed either way: UNKNOWN, and never sent again.
            let mut conn = ctx.db.acquire().await?;
            deliveries::settle_interrupted(&mut conn, campaign.id, &err.to_string()).await?;
            drop(conn);
            push_progress(&ctx, campaign.id).await?;
            Ok(Step::Failed(Failure::Unconfirmed))
        }
        Err(err @ (SendError::Timeout { .. } | SendError::EmptyMessage | SendError::Attachment { .. })) => {
            record_failure(&ctx, campaign, recipient.id, &err.to_string()).await?;
            Ok(Step::Failed(Failure::Other))
        }
        Err(err @ (SendError::HookMissing { .. } | SendError::UiLanguage(_))) => {
            if err.may_have_been_sent() {
                let mut conn = ctx.db.acquire().await?;
                deliveries::settle_interrupted(&mut conn, campaign.id, &err.to_string()).await?;
            } else {
                deliveries::unclaim(&ctx.db, recipient.id).await?;
            }
            drift::stop_campaign(actor, campaign.id, &err).await?;
            push_progress(&ctx, campaign.id).await?;
            Ok(Step::Stopped)
        }
        Err(SendError::Browser(err)) => {
            // Nothing was sent (the button was never pressed): put the
            // recipient back and let the session end; another try reopens it.
            deliveries::unclaim(&ctx.db, recipient.id).await?;
            Err(err.into())
        }
    }
}

async fn record_failure(
    ctx: &SenderContext,
    campaign: &SendingCampaign,
    recipient_id: i64,
    error: &str,
) -> anyhow::Result<()> {
    let mut conn = ctx.db.acquire().await?;
    deliveries::record_failed(&mut conn, campaign.id, recipient_id, error).await?;
    drop(conn);
    push_progress(ctx, campaign.id).await
}

/// The campaign's attachment as a local file, downloaded from S3 once per
/// session.
async fn attachment_file(actor: &mut Actor, campaign_id: i64) -> anyhow::Result<Option<(PathBuf, String)>> {
    let Some(attachment) = deliveries::attachment(&actor.ctx.db, campaign_id).await? else { return Ok(None) };
    if let Some(file) = actor.attachment_files.get(&campaign_id) {
        return Ok(Some((file.clone(), attachment.mimetype)));
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
    Ok(Some((file, attachment.mimetype)))
}

/// Whether the watch is over: the message shows two ticks (recorded as
/// DELIVERED once) and then blue ones (see `receipts`).
pub async fn check_delivered(actor: &Actor, delivery: &Delivery) -> anyhow::Result<bool> {
    let status = actor.whatsapp().message_status(&delivery.phone).await?;
    let Some(status) = status.filter(|s| *s >= MessageStatus::Delivered) else { return Ok(false) };
    let mut conn = actor.ctx.db.acquire().await?;
    let delivered_now = deliveries::record_delivered(&mut conn, delivery.campaign_id, delivery.recipient_id).await?;
    drop(conn);
    if delivered_now {
        push_progress(&actor.ctx, delivery.campaign_id).await?;
    }
    receipts::follow(&actor.ctx, delivery.recipient_id, status).await
}

async fn push_progress(ctx: &SenderContext, campaign_id: i64) -> anyhow::Result<()> {
    if let Some(c) = deliveries::campaign(&ctx.db, campaign_id).await? {
        let progress = Progress::new(
            c.total_recipients.into(),
            c.sent_count.into(),
            c.failed_count.into(),
            c.delivered_count.into(),
        );
        ctx.pusher.push(campaign_id, &CampaignEvent::ProgressUpdate { progress }).await;
    }
    Ok(())
}
