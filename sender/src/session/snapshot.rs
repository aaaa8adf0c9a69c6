//! Saving a logged-in Chromium profile to S3 and restoring it on another
//! sender, so a takeover needs no new QR scan while the phone keeps the
//! device linked. One snapshot per WhatsApp account. Snapshots hold a
//! WhatsApp login: they live under a private prefix and are deleted with the
//! account's login.

use std::path::Path;

use shared::repo::session_leases;

use crate::{context::SenderContext, driver::profile};

pub fn key(account_id: i64) -> String {
    format!("accounts/{account_id}/session/profile.tar.gz")
}

pub async fn upload(ctx: &SenderContext, account_id: i64, packed: Vec<u8>) -> anyhow::Result<()> {
    let key = key(account_id);
    ctx.storage.put(&key, packed, "application/gzip").await?;
    session_leases::set_snapshot(&ctx.db, account_id, Some(&key)).await?;
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

/// The saved login is void (logged out): deleted, the lease kept. A session
/// moved over from a per-campaign one may still name its old key.
pub async fn forget(ctx: &SenderContext, account_id: i64) -> anyhow::Result<()> {
    if let Some(lease) = session_leases::find(&ctx.db, account_id).await? {
        if let Some(old) = lease.snapshot_key.filter(|old| *old != key(account_id)) {
            ctx.storage.delete(&old).await?;
        }
    }
    ctx.storage.delete(&key(account_id)).await?;
    session_leases::set_snapshot(&ctx.db, account_id, None).await?;
    Ok(())
}

/// Forget the account's WhatsApp login everywhere: the snapshot and the lease.
pub async fn forget_login(ctx: &SenderContext, account_id: i64) -> anyhow::Result<()> {
    forget(ctx, account_id).await?;
    session_leases::delete(&ctx.db, account_id).await?;
    Ok(())
}
