//! A number's health, told to its user as it changes (`number_update` to
//! the account's sockets): WhatsApp's timelock or new-chat quota moved, or
//! the link is due — WhatsApp logs a linked device out about 14 days after
//! the phone was last active, so the user is warned at day 10.

use chrono::Utc;
use shared::{
    governor::numbers::{self, relink_warning_due},
    realtime::CampaignEvent,
    repo::whatsapp_accounts::{self, AccountRow},
};

use crate::context::SenderContext;

/// Push the number as the API shows it now, with `message`.
pub async fn announce(ctx: &SenderContext, account_id: i64, message: &str) -> anyhow::Result<()> {
    let Some(account) = whatsapp_accounts::find(&ctx.db, account_id).await? else { return Ok(()) };
    let number = numbers::summary(&ctx.db, account, &ctx.settings.governor).await?;
    let event = CampaignEvent::NumberUpdate { number: Box::new(number), message: message.to_owned() };
    ctx.pusher.push_account(account_id, &event).await;
    Ok(())
}

/// Once per link: from day 10 after the phone was last seen, the user is
/// told to open WhatsApp on the phone before the device is logged out.
pub async fn warn_if_relink_due(ctx: &SenderContext, account: &AccountRow) -> anyhow::Result<()> {
    if account.relink_warned_at.is_some()
        || !relink_warning_due(Utc::now(), account.phone_seen(), &ctx.settings.governor)
    {
        return Ok(());
    }
    if whatsapp_accounts::record_relink_warning(&ctx.db, account.id).await? {
        let due = numbers::relink_due_at(account.phone_seen(), &ctx.settings.governor);
        let message = format!(
            "Open WhatsApp on the phone of this number before {}: WhatsApp logs linked devices out after about 14 \
             days without the phone, and campaigns would stop until it is linked again",
            due.format("%Y-%m-%d %H:%M UTC")
        );
        tracing::info!(account.id = account.id, %due, "the link is due soon; the user is told");
        announce(ctx, account.id, &message).await?;
    }
    Ok(())
}
