//! Who may start a link, and how often (issue 25). A link attempt holds a
//! whole browser of the shared fleet, and a pairing code links whichever
//! phone types it — the way WhatsApp-hijack scams work — so:
//! - a user has at most `LINKING_MAX_PER_USER` numbers LINKING at once;
//! - link attempts and pairing codes are rate-limited per user, and pairing
//!   codes per phone number too;
//! - a pairing code is given only for the user's own number: their phone
//!   proven at sign-up, or one that a one-time code sent to it confirms;
//! - every pairing request is logged (user, masked number, time) and kept
//!   in `linking_requests`.
//!
//! The checks run under the user's row lock, in the transaction the caller
//! then creates (or re-opens) the linking number in, so racing requests
//! cannot both pass.

use chrono::Utc;
use sqlx::{MySql, Transaction};

use crate::{
    domain::{OtpChannel, Phone, StoredOtpPurpose},
    error::ApiError,
    repo::{
        linking_requests::{self, LinkKind},
        otps, users, whatsapp_accounts,
    },
    AppContext,
};

const HOUR_SECS: u64 = 3600;

/// What a request asks for.
pub struct LinkRequest<'a> {
    /// A number goes LINKING (a new one, or one linked again).
    pub starts_link: bool,
    /// A pairing code for this phone, with the one-time code that proves it
    /// when it is not the user's own proven phone.
    pub pairing: Option<(&'a Phone, Option<&'a str>)>,
}

/// Checks the request and records it; answers the open transaction that
/// holds the user's lock, for the caller's linking writes.
pub async fn admit(
    ctx: &AppContext,
    user_id: i64,
    request: LinkRequest<'_>,
) -> Result<Transaction<'static, MySql>, ApiError> {
    let limits = &ctx.settings.linking;
    let mut tx = ctx.db.begin().await?;
    if !users::lock(&mut *tx, user_id).await? {
        return Err(ApiError::not_found("User"));
    }
    if request.starts_link {
        let linking = whatsapp_accounts::linking_count(&mut *tx, user_id).await?;
        if linking >= i64::from(limits.max_per_user) {
            return Err(ApiError::TooManyRequests {
                code: "LINKING_LIMIT",
                message: format!(
                    "{linking} of your numbers are being linked already; scan one of their codes or wait until \
                     one expires ({} seconds after it was asked for) before linking another",
                    limits.timeout.as_secs()
                ),
                retry_after_secs: limits.timeout.as_secs(),
            });
        }
    }
    let attempts = linking_requests::by_user_within(&mut *tx, user_id, None, HOUR_SECS).await?;
    refuse_over(attempts, limits.per_user_per_hour, "link attempts")?;
    let Some((phone, otp)) = request.pairing else {
        linking_requests::record(&mut *tx, user_id, LinkKind::Qr, None).await?;
        return Ok(tx);
    };
    let codes = linking_requests::by_user_within(&mut *tx, user_id, Some(LinkKind::Pairing), HOUR_SECS).await?;
    refuse_over(codes, limits.pairing_per_user_per_hour, "pairing codes")?;
    let for_number = linking_requests::pairing_for_phone_within(&mut *tx, phone.as_str(), HOUR_SECS).await?;
    refuse_over(for_number, limits.pairing_per_number_per_hour, "pairing codes for this number")?;
    let own = users::verified_phone(&mut *tx, user_id).await?.is_some_and(|own| own == phone.as_str());
    if !own {
        tx = confirm_by_code(ctx, tx, phone, otp).await?;
    }
    linking_requests::record(&mut *tx, user_id, LinkKind::Pairing, Some(phone.as_str())).await?;
    tracing::info!(user.id = user_id, phone = %phone.masked(), own_number = own, "pairing code requested");
    Ok(tx)
}

/// A one-time code to confirm a phone for pairing: counted with the user's
/// pairing codes (each is an SMS to a number of the caller's choosing).
pub async fn admit_pairing_otp(ctx: &AppContext, user_id: i64, phone: &Phone) -> Result<(), ApiError> {
    let limit = ctx.settings.linking.pairing_per_user_per_hour;
    let sent = linking_requests::by_user_within(&ctx.db, user_id, Some(LinkKind::PairingOtp), HOUR_SECS).await?;
    refuse_over(sent, limit, "confirmation codes")?;
    linking_requests::record(&ctx.db, user_id, LinkKind::PairingOtp, Some(phone.as_str())).await?;
    tracing::info!(user.id = user_id, phone = %phone.masked(), "pairing confirmation code requested");
    Ok(())
}

fn refuse_over(window: linking_requests::Window, limit: u32, what: &str) -> Result<(), ApiError> {
    if window.count < i64::from(limit) {
        return Ok(());
    }
    let wait = window.frees_in_secs.max(1) as u64;
    Err(ApiError::TooManyRequests {
        code: "RATE_LIMITED",
        message: format!("At most {limit} {what} an hour; try again in {wait} seconds"),
        retry_after_secs: wait,
    })
}

/// A phone that is not the user's proven one: the one-time code sent to it
/// (`/api/whatsapp-accounts/pairing-otp`) must come along, and is used up.
/// A wrong code counts against the code's attempts.
async fn confirm_by_code(
    ctx: &AppContext,
    mut tx: Transaction<'static, MySql>,
    phone: &Phone,
    otp: Option<&str>,
) -> Result<Transaction<'static, MySql>, ApiError> {
    let not_confirmed = || ApiError::Forbidden {
        code: "PAIRING_PHONE_NOT_CONFIRMED",
        message: "A pairing code links the phone it is typed on, so it is given only for your own number: \
                  confirm this one first (POST /api/whatsapp-accounts/pairing-otp sends it a code; send that code \
                  as `otp`), or scan the QR code instead"
            .into(),
    };
    let code = otp.map(str::trim).filter(|code| !code.is_empty()).ok_or_else(not_confirmed)?;
    let target = phone.as_str();
    let purpose = StoredOtpPurpose::Pairing;
    let stored = otps::find_for_update(&mut *tx, target, OtpChannel::Sms, purpose).await?.ok_or_else(not_confirmed)?;
    if stored.attempts >= stored.max_attempts {
        return Err(crate::accounts::otp_error("OTP_ATTEMPTS_EXCEEDED", "Too many wrong attempts; request a new code"));
    }
    if stored.expires_at <= Utc::now() {
        return Err(crate::accounts::otp_error("OTP_EXPIRED", "The code has expired; request a new one"));
    }
    if !ctx.otp_hasher.matches(&stored.hashed_code, target, OtpChannel::Sms, purpose, code) {
        otps::record_failed_attempt(&mut *tx, stored.id).await?;
        tx.commit().await?;
        let left = stored.max_attempts - stored.attempts - 1;
        return Err(crate::accounts::otp_error("OTP_INVALID", &format!("Wrong code; {left} attempts left")));
    }
    otps::delete(&mut *tx, stored.id).await?;
    Ok(tx)
}
