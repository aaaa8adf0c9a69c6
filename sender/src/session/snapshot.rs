//! Saving a logged-in Chromium profile to S3 and restoring it on another
//! sender, so a takeover needs no new QR scan while the phone keeps the
//! device linked. Snapshots hold a WhatsApp login: they live under a private
//! prefix and are deleted with the session's login.

use std::path::Path;

use shared::repo::{deliveries, session_leases};

use crate::{context::SenderContext, driver::profile};

pub fn key(campaign_id: i64) -> String {
    format!("campaigns/{campaign_id}/session/profile.tar.gz")
}

pub async fn upload(ctx: &SenderContext, campaign_id: i64, packed: Vec<u8>) -> anyhow::Result<()> {
    let key = key(campaign_id);
    ctx.storage.put(&key, packed, "application/gzip").await?;
    session_leases::set_snapshot(&ctx.db, campaign_id, Some(&key)).await?;
    Ok(())
}

/// Lay the snapshot named by the lease (if any) into `dir`; whether one was
/// restored.
pub async fn restore(ctx: &SenderContext, snapshot_key: Option<&str>, dir: &Path) -> anyhow::Result<bool> {
    let Some(key) = snapshot_key else { return Ok(false) };
    let Some(object) = ctx.storage.get(key).await? else { return Ok(false) };
    let dir = dir.to_owned();
    tokio::task::spawn_blocking(move || profile::unpack_profile(&object.bytes, &dir)).await??;
    Ok(true)
}

/// Forget a session's WhatsApp login everywhere: the snapshot, the lease,
/// the connected flag and the stale QR.
pub async fn forget_login(ctx: &SenderContext, campaign_id: i64) -> anyhow::Result<()> {
    ctx.storage.delete(&key(campaign_id)).await?;
    session_leases::delete(&ctx.db, campaign_id).await?;
    deliveries::clear_session(&ctx.db, campaign_id).await?;
    Ok(())
}
