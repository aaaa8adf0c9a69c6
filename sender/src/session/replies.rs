//! Replies from a campaign's recipients, noticed while the session is open
//! (between messages): the open chat's new incoming messages, and chats the
//! list marks unread. A reply is recorded on its recipient; one that is an
//! opt-out keyword puts the number on the owner's suppression list at once;
//! either way a `reply_update` goes to the campaign's sockets. Only replies
//! from this campaign's messaged recipients count as replies; anyone who
//! writes makes their chat warm for the number (`warm_contacts`): their
//! messages go first, and nothing that holds strangers back holds them.

use std::collections::HashSet;

use shared::{
    domain::Phone,
    message::is_opt_out,
    realtime::CampaignEvent,
    repo::{deliveries::SendingCampaign, engagement, warm_contacts},
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
    /// Whether unread chats were looked at since the login.
    pub looked: bool,
}

/// Look for replies once. Never fatal: whatever hides them (a logout, a
/// drifted page) the session's next turn sees and handles.
pub async fn look(actor: &mut Actor, campaign: &SendingCampaign) {
    if let Err(err) = try_look(actor, Some(campaign)).await {
        tracing::debug!(campaign.id = campaign.id, error = %err, "could not look for replies");
    }
}

/// While every campaign of the number waits: has anyone written? Whether a
/// campaign was woken because someone who wrote is pending in it.
pub async fn look_for_warm(actor: &mut Actor) -> bool {
    match try_look(actor, None).await {
        Ok(woken) => woken,
        Err(err) => {
            tracing::debug!(account.id = actor.account_id, error = %err, "could not look for new chats");
            false
        }
    }
}

async fn try_look(actor: &mut Actor, campaign: Option<&SendingCampaign>) -> anyhow::Result<bool> {
    actor.inbox.looked = true;
    let mut woken = false;
    if let Some((phone, messages)) = actor.whatsapp().open_chat_replies().await? {
        woken |= take(actor, campaign, &phone, messages).await?;
    }
    let unread = actor.whatsapp().unread_chats().await?;
    for phone in unread.into_iter().take(CHATS_PER_LOOK) {
        if let Some(messages) = actor.whatsapp().replies_from(&phone).await? {
            woken |= take(actor, campaign, &phone, messages).await?;
        }
    }
    Ok(woken)
}

/// New messages from `phone`: their chat is warm; a reply to `campaign` is
/// recorded. Whether a waiting campaign was woken for them.
async fn take(
    actor: &mut Actor,
    campaign: Option<&SendingCampaign>,
    phone: &Phone,
    messages: Vec<Incoming>,
) -> anyhow::Result<bool> {
    let new: Vec<Incoming> = messages.into_iter().filter(|m| actor.inbox.seen.insert(m.id.clone())).collect();
    if new.is_empty() {
        return Ok(false);
    }
    let woken = warm(actor, phone).await?;
    let Some(campaign) = campaign else { return Ok(woken) };
    let ctx = actor.ctx.clone();
    let Some(recipient_id) = engagement::messaged_recipient(&ctx.db, campaign.id, phone.as_str()).await? else {
        return Ok(woken);
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
    Ok(woken)
}

/// `phone` wrote to the number: warm from now on. If they wait in one of
/// its campaigns behind strangers held back, that wait ends.
async fn warm(actor: &Actor, phone: &Phone) -> anyhow::Result<bool> {
    let db = &actor.ctx.db;
    if !warm_contacts::record(db, actor.account_id, phone.as_str()).await? {
        return Ok(false);
    }
    warm_contacts::release_deferred(db, actor.account_id, phone.as_str()).await?;
    let woken = warm_contacts::wake_campaigns_of(db, actor.account_id, phone.as_str()).await?;
    tracing::info!(account.id = actor.account_id, woken, "someone wrote to the number: their chat is warm");
    Ok(woken > 0)
}
