//! Route a command to the sender that owns the campaign's session, or to
//! the shared sessions queue when nobody does.

use super::{Command, CommandKind, QueueMissing};
use crate::{repo::session_leases, AppContext};

#[tracing::instrument(skip(ctx), fields(campaign.id = campaign_id))]
pub async fn dispatch(ctx: &AppContext, campaign_id: i64, kind: CommandKind) -> anyhow::Result<()> {
    let queue_url = match session_leases::live_owner(&ctx.db, campaign_id).await? {
        Some(owner) => owner.inbox_url,
        None => ctx.queues.sessions_url().to_owned(),
    };
    // Not through `send_to`: one more nested future here overflows the
    // compiler's layout depth in the local gateway's scheduler timer.
    let command = Command::new(kind, campaign_id);
    match ctx.queues.send(&queue_url, &command).await {
        // The owner's inbox is gone (its sender retired, or the emulator
        // restarted): any sender can take the command from the shared queue.
        Err(err) if QueueMissing::in_error(&err).is_some() && queue_url != ctx.queues.sessions_url() => {
            tracing::warn!(error = %err, "the owner's inbox is gone; the command goes to the sessions queue");
            Box::pin(ctx.queues.send(ctx.queues.sessions_url(), &command)).await
        }
        sent => sent,
    }
}

/// Send to a queue the caller already knows, e.g. the inbox of the owner a
/// deleted campaign had (its lease went with it).
pub async fn send_to(ctx: &AppContext, queue_url: &str, campaign_id: i64, kind: CommandKind) -> anyhow::Result<()> {
    ctx.queues.send(queue_url, &Command::new(kind, campaign_id)).await
}
