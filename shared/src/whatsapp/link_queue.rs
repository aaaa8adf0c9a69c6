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
        whatsapp_accounts::{self, AccountRow, AccountStatus},
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

/// What a link request for a new number can show the user.
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

/// What a wait for one kind of code ended with.
pub enum Waited<T> {
    Code(T),
    /// Linked meanwhile: nothing to scan.
    Connected,
    /// No browser yet: the code comes by event.
    Queued(Queued),
}

/// What the session shows when asked for a pairing code.
pub enum Pairing {
    Code {
        code: String,
        expires_at: DateTime<Utc>,
    },
    /// The sender could not get one (it said why in an `error_update`).
    Refused,
}

/// Where a link attempt waits, and when to look again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Queued {
    /// 1: next to get a browser.
    pub position: i64,
    pub retry_after_secs: u64,
}

/// Waits for the QR or the pairing code, as asked.
pub async fn wait_for_code(ctx: &AppContext, account_id: i64, by_pairing: bool) -> Result<Shown, ApiError> {
    let waited = if by_pairing {
        match wait_for(ctx, account_id, pairing_shown).await? {
            Waited::Code(Pairing::Code { code, expires_at }) => Waited::Code(Shown::PairingCode { code, expires_at }),
            Waited::Code(Pairing::Refused) => Waited::Code(Shown::PairingRefused),
            Waited::Connected => Waited::Connected,
            Waited::Queued(queued) => Waited::Queued(queued),
        }
    } else {
        match wait_for(ctx, account_id, qr_shown).await? {
            Waited::Code(qr) => Waited::Code(Shown::Qr(qr)),
            Waited::Connected => Waited::Connected,
            Waited::Queued(queued) => Waited::Queued(queued),
        }
    };
    Ok(match waited {
        Waited::Code(shown) => shown,
        Waited::Connected => Shown::Connected,
        Waited::Queued(queued) => Shown::Queued(queued),
    })
}

/// The QR the session shows, if any.
pub fn qr_shown(account: &AccountRow) -> Result<Option<QrCodePayload>, ApiError> {
    match account.qr_code.as_deref().filter(|raw| !raw.is_empty()) {
        Some(raw) => Ok(Some(qr::qr_code(raw).map_err(ApiError::internal)?)),
        None => Ok(None),
    }
}

/// The pairing code the session shows, or its refusal, if either yet.
pub fn pairing_shown(account: &AccountRow) -> Result<Option<Pairing>, ApiError> {
    Ok(match (&account.pairing_phone, &account.pairing_code, account.pairing_code_expires_at) {
        (Some(_), Some(code), Some(expires_at)) => Some(Pairing::Code { code: code.clone(), expires_at }),
        (None, ..) => Some(Pairing::Refused),
        _ => None,
    })
}

/// Waits for what the account's session shows (`read`); answers `Queued`
/// within a second when every sender is full, or when nothing showed
/// within the wait (no sender running yet, one starting).
pub async fn wait_for<T>(
    ctx: &AppContext,
    account_id: i64,
    read: impl Fn(&AccountRow) -> Result<Option<T>, ApiError>,
) -> Result<Waited<T>, ApiError> {
    let asked = Instant::now();
    let deadline = asked + LINK_WAIT;
    let mut full = None;
    loop {
        let account = whatsapp_accounts::find(&ctx.db, account_id)
            .await?
            .ok_or_else(|| ApiError::not_found("WhatsApp account"))?;
        match account.status {
            AccountStatus::Connected => return Ok(Waited::Connected),
            AccountStatus::Linking => {}
            // Expired or removed meanwhile: the reason is on the account.
            _ => {
                return Err(ApiError::Conflict {
                    code: "LINK_EXPIRED",
                    message: account.status_reason.unwrap_or_else(|| "The link attempt ended; ask again".into()),
                })
            }
        }
        if let Some(code) = read(&account)? {
            return Ok(Waited::Code(code));
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
            return Ok(Waited::Queued(queued(ctx, account_id).await?));
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
