//! No wait without a promise (issue 25): a link request waits a little for
//! a sender to show the QR (or the pairing code); when the fleet has no
//! browser to give — every slot linking or sending — it answers at once
//! with its place in the queue, and the code follows as an event when a
//! slot frees (a link attempt expires, an idle session closes, the fleet
//! grows on the queue's depth). Attempts that wait too long, or that nobody
//! scans, expire.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use crate::{
    error::ApiError,
    qr::{self, QrCodePayload},
    realtime::{CampaignEvent, Pusher},
    repo::{
        session_leases,
        whatsapp_accounts::{self, AccountStatus},
    },
    AppContext,
};

/// How long a request waits for a sender to show the QR (or the pairing
/// code); API Gateway gives a request 29 s.
const LINK_WAIT: Duration = Duration::from_secs(20);

/// How long a request to a full fleet looks for its own session before it
/// answers with a place in line.
const QUEUE_GRACE: Duration = Duration::from_secs(1);

/// A sender that has not heartbeat this long counts as gone.
const SENDER_FRESH_SECS: u64 = 30;

/// A queued attempt (no browser yet) expires after this many link timeouts.
const QUEUE_PATIENCE_TIMEOUTS: u32 = 3;

/// What a link request can show the user.
pub enum Shown {
    Qr(QrCodePayload),
    PairingCode {
        code: String,
        expires_at: DateTime<Utc>,
    },
    /// Linked meanwhile: nothing to scan.
    Connected,
    /// No browser yet: the code comes by event.
    Queued(Queued),
    /// The sender could not get a pairing code (it said why in an `error_update`).
    PairingRefused,
}

/// Where a link attempt waits, and when to look again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Queued {
    /// 1: next to get a browser.
    pub position: i64,
    pub retry_after_secs: u64,
}

/// Waits for what the account's session shows; answers `Queued` within a
/// second when every sender is full, or when nothing showed within the
/// wait (no sender running yet, one starting).
pub async fn wait_for_code(ctx: &AppContext, account_id: i64, by_pairing: bool) -> Result<Shown, ApiError> {
    let asked = Instant::now();
    let deadline = asked + LINK_WAIT;
    let mut full = None;
    loop {
        let account = whatsapp_accounts::find(&ctx.db, account_id)
            .await?
            .ok_or_else(|| ApiError::not_found("WhatsApp account"))?;
        match account.status {
            AccountStatus::Connected => return Ok(Shown::Connected),
            AccountStatus::Linking => {}
            // Expired or removed meanwhile: the reason is on the account.
            _ => {
                return Err(ApiError::Conflict {
                    code: "LINK_EXPIRED",
                    message: account.status_reason.unwrap_or_else(|| "The link attempt ended; ask again".into()),
                })
            }
        }
        if by_pairing {
            match (account.pairing_phone, account.pairing_code, account.pairing_code_expires_at) {
                (Some(_), Some(code), Some(expires_at)) => return Ok(Shown::PairingCode { code, expires_at }),
                (None, ..) => return Ok(Shown::PairingRefused),
                _ => {}
            }
        } else if let Some(raw) = account.qr_code.filter(|raw| !raw.is_empty()) {
            return Ok(Shown::Qr(qr::qr_code(&raw).map_err(ApiError::internal)?));
        }
        let full = match full {
            Some(full) => full,
            None => *full.insert(session_leases::fleet_is_full(&ctx.db, SENDER_FRESH_SECS).await?),
        };
        // A full fleet may be counting this very attempt's session, opened
        // a moment ago: it is queued only if, after a short grace, no
        // sender holds its lease.
        let waits_in_line =
            full && asked.elapsed() >= QUEUE_GRACE && session_leases::live_owner(&ctx.db, account_id).await?.is_none();
        if waits_in_line || Instant::now() >= deadline {
            return Ok(Shown::Queued(queued(ctx, account_id).await?));
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// The attempt's place among those waiting for a browser. A slot frees at
/// the latest when a link attempt expires, so the next look is due within
/// one link timeout.
async fn queued(ctx: &AppContext, account_id: i64) -> Result<Queued, ApiError> {
    let position = session_leases::link_queue_position(&ctx.db, account_id).await?.max(1);
    let timeout = ctx.settings.linking.timeout.as_secs();
    Ok(Queued { position, retry_after_secs: (position as u64 * 15).min(timeout).max(5) })
}

/// Why an attempt expired, for the account's `statusReason` and the event.
pub fn expired_reason(waited: Duration) -> String {
    format!(
        "The link attempt expired: nothing was scanned within {} seconds; ask for a new QR code or pairing code",
        waited.as_secs()
    )
}

/// The attempt expires: the number is DISCONNECTED with the reason, and
/// whoever follows it is told.
pub async fn expire(db: &sqlx::MySqlPool, pusher: &Pusher, account_id: i64, reason: &str) -> Result<(), sqlx::Error> {
    whatsapp_accounts::set_status(db, account_id, AccountStatus::Disconnected, Some(reason), None).await?;
    pusher.push_account(account_id, &CampaignEvent::ErrorUpdate { error: reason.to_owned() }).await;
    tracing::info!(account.id = account_id, "link attempt expired");
    Ok(())
}

/// For the scheduler: attempts that never got a browser within
/// `QUEUE_PATIENCE_TIMEOUTS` link timeouts expire (one with a browser is
/// expired by its sender). Answers how many.
pub async fn expire_stale(ctx: &AppContext) -> Result<usize, sqlx::Error> {
    let patience = ctx.settings.linking.timeout * QUEUE_PATIENCE_TIMEOUTS;
    let stale = session_leases::stale_queued_links(&ctx.db, patience.as_secs()).await?;
    let reason = format!(
        "The link attempt expired: no browser was free to show its code within {} seconds; ask again",
        patience.as_secs()
    );
    for account_id in &stale {
        expire(&ctx.db, &ctx.pusher, *account_id, &reason).await?;
    }
    Ok(stale.len())
}
