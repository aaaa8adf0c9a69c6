//! Replies from a campaign's recipients, noticed while the session is open
//! (between messages): the open chat's new incoming messages, and chats the
//! list marks unread. A reply is recorded on its recipient; one that is an
//! opt-out keyword puts the number on the owner's suppression list at once;
//! either way a `reply_update` goes to the campaign's sockets. Only replies
//! from this campaign's messaged recipients count.

use std::collections::HashSet;

use shared::{
    domain::Phone,
    message::is_opt_out,
    realtime::CampaignEvent,
    repo::{deliveries::SendingCampaign, engagement},
    suppressions::REPLY_REASON,
};

use super::actor::Actor;
use crate::driver::Incoming;

/// Unread chats opened per look, at most: the rest wait for the next one,
/// so a flood of replies cannot stall the campaign.
const CHATS_PER_LOOK: usize = 3;
/// A reply is kept up to this many characters.
const REPLY_MAX_CHARS: usize = 1000;

/// The incoming messages this session has handled (WhatsApp's ids).
#[derive(Default)]
pub struct Inbox {
    seen: HashSet<String>,
}

/// Look for replies once. Never fatal: whatever hides them (a logout, a
/// drifted page) the session's next turn sees and handles.
pub async fn look(actor: &mut Actor, campaign: &SendingCampaign) {
    if let Err(err) = try_look(actor, campaign).await {
        tracing::debug!(campaign.id = campaign.id, error = %err, "could not look for replies");
    }
}

async fn try_look(actor: &mut Actor, campaign: &SendingCampaign) -> anyhow::Result<()> {
    if let Some((phone, messages)) = actor.whatsapp().open_chat_replies().await? {
        take(actor, campaign, &phone, messages).await?;
    }
    let unread = actor.whatsapp().unread_chats().await?;
    for phone in unread.into_iter().take(CHATS_PER_LOOK) {
        if let Some(messages) = actor.whatsapp().replies_from(&phone).await? {
            take(actor, campaign, &phone, messages).await?;
        }
    }
    Ok(())
}

async fn take(
    actor: &mut Actor,
    campaign: &SendingCampaign,
    phone: &Phone,
    messages: Vec<Incoming>,
) -> anyhow::Result<()> {
    let new: Vec<Incoming> = messages.into_iter().filter(|m| actor.inbox.seen.insert(m.id.clone())).collect();
    if new.is_empty() {
        return Ok(());
    }
    let ctx = actor.ctx.clone();
    let Some(recipient_id) = engagement::messaged_recipient(&ctx.db, campaign.id, phone.as_str()).await? else {
        return Ok(());
    };
    let keywords = &ctx.settings.opt_out_keywords;
    let opted_out = new.iter().any(|m| is_opt_out(&m.text, keywords));
    let text: String =
        new.iter().map(|m| m.text.trim()).collect::<Vec<_>>().join("\n").chars().take(REPLY_MAX_CHARS).collect();
    let mut tx = ctx.db.begin().await?;
    engagement::record_reply(&mut *tx, recipient_id, &text, opted_out).await?;
    if opted_out {
        engagement::suppress(&mut *tx, campaign.user_id, phone.as_str(), REPLY_REASON).await?;
    }
    tx.commit().await?;
    tracing::info!(campaign.id = campaign.id, recipient.id = recipient_id, opted_out, "reply recorded");
    let event = CampaignEvent::ReplyUpdate { phone: phone.as_str().to_owned(), text, opted_out };
    ctx.pusher.push(campaign.id, &event).await;
    Ok(())
}
