//! Route a command to the sender that owns the campaign's session, or to
//! the shared sessions queue when nobody does.

use super::{Command, CommandKind};
use crate::{repo::session_leases, AppContext};

#[tracing::instrument(skip(ctx), fields(campaign.id = campaign_id))]
pub async fn dispatch(ctx: &AppContext, campaign_id: i64, kind: CommandKind) -> anyhow::Result<()> {
    let command = Command::new(kind, campaign_id);
    let queue_url = match session_leases::live_owner(&ctx.db, campaign_id).await? {
        Some(owner) => owner.inbox_url,
        None => ctx.queues.sessions_url().to_owned(),
    };
    ctx.queues.send(&queue_url, &command).await
}
