//! Route a command to the sender that owns the session of the campaign's
//! WhatsApp account, or to the shared sessions queue when nobody does.

use super::{Command, CommandKind, QueueMissing};
use crate::{
    repo::{session_leases, whatsapp_accounts},
    AppContext,
};

#[tracing::instrument(skip(ctx), fields(campaign.id = campaign_id))]
pub async fn dispatch(ctx: &AppContext, campaign_id: i64, kind: CommandKind) -> anyhow::Result<()> {
    let account_id = whatsapp_accounts::of_campaign(&ctx.db, campaign_id).await?;
    let command = Command::new(kind, campaign_id).via(account_id);
    let queue_url = match account_id {
        Some(account_id) => owner_inbox(ctx, account_id).await?,
        None => ctx.queues.sessions_url().to_owned(),
    };
    send_routed(ctx, &queue_url, &command).await
}

/// A command for an account's session itself (link, log out).
#[tracing::instrument(skip(ctx), fields(account.id = account_id))]
pub async fn dispatch_account(ctx: &AppContext, account_id: i64, kind: CommandKind) -> anyhow::Result<()> {
    let queue_url = owner_inbox(ctx, account_id).await?;
    send_routed(ctx, &queue_url, &Command::for_account(kind, account_id)).await
}

async fn owner_inbox(ctx: &AppContext, account_id: i64) -> anyhow::Result<String> {
    Ok(match session_leases::live_owner(&ctx.db, account_id).await? {
        Some(owner) => owner.inbox_url,
        None => ctx.queues.sessions_url().to_owned(),
    })
}

async fn send_routed(ctx: &AppContext, queue_url: &str, command: &Command) -> anyhow::Result<()> {
    // Not through `send_to`: one more nested future here overflows the
    // compiler's layout depth in the local gateway's scheduler timer.
    match ctx.queues.send(queue_url, command).await {
        // The owner's inbox is gone (its sender retired, or the emulator
        // restarted): any sender can take the command from the shared queue.
        Err(err) if QueueMissing::in_error(&err).is_some() && queue_url != ctx.queues.sessions_url() => {
            tracing::warn!(error = %err, "the owner's inbox is gone; the command goes to the sessions queue");
            Box::pin(ctx.queues.send(ctx.queues.sessions_url(), command)).await
        }
        sent => sent,
    }
}

/// Send to a queue the caller already knows, e.g. the inbox of the owner a
/// deleted campaign's session had.
pub async fn send_to(ctx: &AppContext, queue_url: &str, command: &Command) -> anyhow::Result<()> {
    ctx.queues.send(queue_url, command).await
}
