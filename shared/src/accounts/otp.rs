//! Requesting and verifying one-time codes.

use std::net::IpAddr;

use chrono::Utc;
use serde::Deserialize;

use super::attempts::{self, Counter, Scope};
use crate::{
    auth::otp_code,
    domain::{Email, OtpChannel, OtpPurpose, Phone, StoredOtpPurpose},
    error::ApiError,
    notify::DeliveryError,
    repo::{otps, users},
    validation::Fields,
    AppContext,
};

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct OtpInput {
    pub target: String,
    pub channel: OtpChannel,
    pub purpose: OtpPurpose,
    /// Only for verification.
    #[serde(default)]
    pub code: Option<String>,
}

pub struct OtpRequested {
    pub expires_in_secs: u64,
    pub resend_after_secs: u64,
}

/// The canonical form of a target for its channel: a phone for SMS, an
/// e-mail address for EMAIL.
pub(crate) fn canonical_target(channel: OtpChannel, raw: &str) -> Result<String, ApiError> {
    let mut fields = Fields::new();
    let target = match channel {
        OtpChannel::Sms => fields.check("target", Phone::parse(raw)).map(|p| p.to_string()),
        OtpChannel::Email => fields.check("target", Email::parse(raw)).map(|e| e.to_string()),
    };
    fields.build(|| target)
}

/// Send a fresh code. Throttled per target (a cooldown between codes, and
/// `OTP_REQUESTS_PER_TARGET` per window) and per client address
/// (`OTP_REQUESTS_PER_IP`); a delivery failure stores nothing.
#[tracing::instrument(skip_all, fields(channel = %input.channel))]
pub async fn request_otp(ctx: &AppContext, input: OtpInput, client: Option<IpAddr>) -> Result<OtpRequested, ApiError> {
    let target = canonical_target(input.channel, &input.target)?;
    if users::contact_taken(&ctx.db, &target).await? {
        return Err(ApiError::Conflict {
            code: "ALREADY_REGISTERED",
            message: "An account already uses this target".into(),
        });
    }
    let per_target = Counter::of(ctx, Scope::OtpTarget, &target);
    let per_ip = Counter::of_ip(ctx, Scope::OtpIp, client);
    attempts::count(ctx, &[&per_target, &per_ip]).await?;

    send_code(ctx, &target, input.channel, input.purpose.into()).await
}

/// `POST /api/whatsapp-accounts/pairing-otp`: a code by SMS to `phone`, which
/// the user sends back with a pairing request for that number (proof they
/// hold the phone the pairing code will link).
#[tracing::instrument(skip_all, fields(user.id = user_id, phone = %phone.masked()))]
pub async fn request_pairing_otp(ctx: &AppContext, user_id: i64, phone: &Phone) -> Result<OtpRequested, ApiError> {
    // Each is an SMS we pay for, to a number of the caller's choosing.
    crate::whatsapp::admit_pairing_otp(ctx, user_id, phone).await?;
    send_code(ctx, phone.as_str(), OtpChannel::Sms, StoredOtpPurpose::Pairing).await
}

/// Send a fresh code to `target`, replacing an earlier one, at most once per
/// cooldown. A delivery failure stores nothing.
async fn send_code(
    ctx: &AppContext,
    target: &str,
    channel: OtpChannel,
    purpose: StoredOtpPurpose,
) -> Result<OtpRequested, ApiError> {
    let settings = &ctx.settings.otp;
    let mut tx = ctx.db.begin().await?;
    if let Some(existing) = otps::find_for_update(&mut *tx, target, channel, purpose).await? {
        let next_allowed = existing.last_sent_at + settings.resend_cooldown;
        let wait = (next_allowed - Utc::now()).num_seconds();
        if wait > 0 {
            return Err(ApiError::TooManyRequests {
                code: "RATE_LIMITED",
                message: format!("A code was sent recently; try again in {wait} seconds"),
                retry_after_secs: wait as u64,
            });
        }
    }
    let code = otp_code::generate();
    let hashed = ctx.otp_hasher.hash(target, channel, purpose, &code);
    otps::replace(&mut *tx, target, channel, purpose, &hashed, Utc::now() + settings.ttl).await?;
    // Deliver before committing: if the provider fails, no code exists that
    // the user never received, and no cooldown blocks the retry.
    ctx.notifier.send_otp(channel, target, &code).await.map_err(|err| match err {
        DeliveryError::NotConfigured(_) => ApiError::Unavailable(err.to_string()),
        DeliveryError::Provider(..) => {
            tracing::warn!(error = %err, "one-time code delivery failed");
            ApiError::Unavailable("The code could not be delivered; try again later".into())
        }
    })?;
    tx.commit().await?;
    Ok(OtpRequested { expires_in_secs: settings.ttl.as_secs(), resend_after_secs: settings.resend_cooldown.as_secs() })
}

/// Check a code. Wrong codes count; after the last allowed attempt the code
/// is dead even for the right digits. A verified code stays usable for
/// registration for a short window. Wrong codes also count per target and
/// per client address across codes (`OTP_VERIFY_FAILURES_PER_*`): past
/// either limit every code is refused with `429` until the window ends.
#[tracing::instrument(skip_all, fields(channel = %input.channel))]
pub async fn verify_otp(ctx: &AppContext, input: OtpInput, client: Option<IpAddr>) -> Result<(), ApiError> {
    let target = canonical_target(input.channel, &input.target)?;
    let code = input.code.as_deref().map(str::trim).unwrap_or_default();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::field("code", "must be 6 digits"));
    }
    let per_target = Counter::of(ctx, Scope::VerifyTarget, &target);
    let per_ip = Counter::of_ip(ctx, Scope::VerifyIp, client);
    attempts::check(ctx, &[&per_target, &per_ip]).await?;

    let mut tx = ctx.db.begin().await?;
    let otp = otps::find_for_update(&mut *tx, &target, input.channel, input.purpose)
        .await?
        .ok_or_else(|| otp_error("OTP_NOT_FOUND", "No code was requested for this target"))?;
    let matches = ctx.otp_hasher.matches(&otp.hashed_code, &target, input.channel, input.purpose, code);
    if otp.attempts >= otp.max_attempts {
        return Err(otp_error("OTP_ATTEMPTS_EXCEEDED", "Too many wrong attempts; request a new code"));
    }
    if otp.expires_at <= Utc::now() {
        return Err(otp_error("OTP_EXPIRED", "The code has expired; request a new one"));
    }
    if !matches {
        otps::record_failed_attempt(&mut *tx, otp.id).await?;
        tx.commit().await?;
        attempts::record(ctx, &[&per_target, &per_ip]).await?;
        let left = otp.max_attempts - otp.attempts - 1;
        return Err(otp_error("OTP_INVALID", &format!("Wrong code; {left} attempts left")));
    }
    if !otp.verified {
        let usable_until = Utc::now() + ctx.settings.otp.registration_window;
        otps::mark_verified(&mut *tx, otp.id, usable_until).await?;
    }
    tx.commit().await?;
    Ok(())
}

pub(crate) fn otp_error(code: &'static str, message: &str) -> ApiError {
    ApiError::BadRequest { code, message: message.to_owned() }
}
