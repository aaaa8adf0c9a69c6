//! Keeping the fleet honest: renew this sender's leases and its `senders`
//! row on a heartbeat, and take over the sessions of accounts whose owner
//! stopped heartbeating (a crashed or killed sender) while there is room.

use std::sync::Arc;

use shared::{
    queue::{Command, CommandKind},
    repo::session_leases,
};

use super::Fleet;

pub async fn run(fleet: Arc<Fleet>) {
    let ctx = fleet.ctx();
    let mut tick = tokio::time::interval(ctx.settings.heartbeat);
    loop {
        tick.tick().await;
        if let Err(err) = session_leases::heartbeat(&ctx.db, ctx.sender_id(), ctx.settings.lease_ttl).await {
            tracing::warn!(error = %err, "lease heartbeat failed");
        }
        if let Err(err) = session_leases::sender_heartbeat(&ctx.db, ctx.sender_id(), fleet.is_draining()).await {
            tracing::warn!(error = %err, "sender heartbeat failed");
        }
        // Sessions turn idle (or busy) on their own: keep the fleet's view fresh.
        fleet.publish_busy().await;
        if let Err(err) = adopt_orphans(&fleet).await {
            tracing::warn!(error = %err, "looking for orphaned sessions failed");
        }
    }
}

/// Accounts with running campaigns whose lease expired: claim and continue
/// them here.
async fn adopt_orphans(fleet: &Arc<Fleet>) -> anyhow::Result<()> {
    let room = fleet.room().await;
    if room == 0 {
        return Ok(());
    }
    for account_id in session_leases::orphaned(&fleet.ctx().db, room as i64).await? {
        tracing::info!(account.id = account_id, "taking over an orphaned session");
        fleet.handle(&Command::for_account(CommandKind::TakeOver, account_id)).await?;
    }
    Ok(())
}

/// The API tells a full fleet from the busy counts: a session that turns
/// idle (or busy) is published at once.
pub async fn publish_busy_on_change(fleet: Arc<Fleet>) {
    loop {
        fleet.busy_changed.notified().await;
        fleet.publish_busy().await;
    }
}
