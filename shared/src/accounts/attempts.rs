//! Attempt counters for logins and one-time codes, per account (an e-mail
//! or phone) and per client IP, kept in MySQL (`repo::attempts`) so every
//! Lambda instance and the local gateway share them. Over a limit: `429
//! RATE_LIMITED` with `Retry-After`, the seconds until the window that is
//! full ends — the same answer as every other rate limit.
//!
//! Subjects are stored as HMAC-SHA256 of the scope and the value, keyed
//! with the service secret: the table holds no e-mail, phone or address.

use std::net::IpAddr;

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::{config::AttemptLimit, error::ApiError, repo::attempts, AppContext};

/// What a counter counts; its name is the row's `scope`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scope {
    LoginAccount,
    LoginIp,
    OtpTarget,
    OtpIp,
    VerifyTarget,
    VerifyIp,
}

impl Scope {
    fn as_str(self) -> &'static str {
        match self {
            Self::LoginAccount => "login_account",
            Self::LoginIp => "login_ip",
            Self::OtpTarget => "otp_target",
            Self::OtpIp => "otp_ip",
            Self::VerifyTarget => "verify_target",
            Self::VerifyIp => "verify_ip",
        }
    }

    fn limit(self, ctx: &AppContext) -> AttemptLimit {
        let settings = &ctx.settings.attempts;
        match self {
            Self::LoginAccount => settings.login_per_account,
            Self::LoginIp => settings.login_per_ip,
            Self::OtpTarget => settings.otp_per_target,
            Self::OtpIp => settings.otp_per_ip,
            Self::VerifyTarget => settings.verify_per_target,
            Self::VerifyIp => settings.verify_per_ip,
        }
    }
}

/// One subject's counter in one scope.
pub(crate) struct Counter {
    scope: Scope,
    subject: String,
    limit: AttemptLimit,
}

impl Counter {
    /// The counter of `value` (a canonical e-mail or phone) in `scope`;
    /// `None` when the scope has no limit.
    pub(crate) fn of(ctx: &AppContext, scope: Scope, value: &str) -> Option<Self> {
        let limit = scope.limit(ctx);
        (limit.max > 0).then(|| Self { scope, subject: subject(ctx, scope, value), limit })
    }

    /// The counter of a client address: an IPv4 address, or an IPv6 /64
    /// (one host usually holds a whole /64). `None` without an address.
    pub(crate) fn of_ip(ctx: &AppContext, scope: Scope, ip: Option<IpAddr>) -> Option<Self> {
        Self::of(ctx, scope, &ip_key(ip?))
    }

    fn window_secs(&self) -> u64 {
        self.limit.window.as_secs().max(1)
    }
}

fn subject(ctx: &AppContext, scope: Scope, value: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(ctx.settings.jwt_secret.expose().as_bytes())
        .expect("HMAC takes a key of any length");
    mac.update(b"auth-attempts\0");
    mac.update(scope.as_str().as_bytes());
    mac.update(b"\0");
    mac.update(value.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

fn ip_key(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

fn refused(retry_after_secs: i64) -> ApiError {
    let retry_after_secs = retry_after_secs.max(1) as u64;
    ApiError::TooManyRequests {
        code: "RATE_LIMITED",
        message: format!("Too many attempts; try again in {retry_after_secs} seconds"),
        retry_after_secs,
    }
}

/// Count one attempt on each counter; `429` when any is now past its limit
/// (counted first, so parallel attempts cannot slip past it together).
pub(crate) async fn count(ctx: &AppContext, counters: &[&Option<Counter>]) -> Result<(), ApiError> {
    prune_now_and_then(ctx).await;
    let mut wait = None;
    for counter in counters.iter().filter_map(|c| c.as_ref()) {
        let (scope, window) = (counter.scope.as_str(), counter.window_secs());
        attempts::hit(&ctx.db, scope, &counter.subject, window).await?;
        let now = attempts::current(&ctx.db, scope, &counter.subject, window).await?;
        if now.attempts > i64::from(counter.limit.max) {
            wait = wait.max(Some(now.frees_in_secs));
        }
    }
    match wait {
        Some(secs) => Err(refused(secs)),
        None => Ok(()),
    }
}

/// `429` when any counter has reached its limit; counts nothing.
pub(crate) async fn check(ctx: &AppContext, counters: &[&Option<Counter>]) -> Result<(), ApiError> {
    let mut wait = None;
    for counter in counters.iter().filter_map(|c| c.as_ref()) {
        let now = attempts::current(&ctx.db, counter.scope.as_str(), &counter.subject, counter.window_secs()).await?;
        if now.attempts >= i64::from(counter.limit.max) {
            wait = wait.max(Some(now.frees_in_secs));
        }
    }
    match wait {
        Some(secs) => Err(refused(secs)),
        None => Ok(()),
    }
}

/// Count one attempt on each counter, without refusing (a failure that
/// [`check`] will see next time).
pub(crate) async fn record(ctx: &AppContext, counters: &[&Option<Counter>]) -> Result<(), ApiError> {
    prune_now_and_then(ctx).await;
    for counter in counters.iter().filter_map(|c| c.as_ref()) {
        attempts::hit(&ctx.db, counter.scope.as_str(), &counter.subject, counter.window_secs()).await?;
    }
    Ok(())
}

/// Start the counter over.
pub(crate) async fn forget(ctx: &AppContext, counter: &Option<Counter>) -> Result<(), ApiError> {
    if let Some(counter) = counter {
        attempts::forget(&ctx.db, counter.scope.as_str(), &counter.subject).await?;
    }
    Ok(())
}

/// Take back one attempt [`count`] made that turned out not to count.
pub(crate) async fn take_back(ctx: &AppContext, counter: &Option<Counter>) -> Result<(), ApiError> {
    if let Some(counter) = counter {
        attempts::take_back(&ctx.db, counter.scope.as_str(), &counter.subject).await?;
    }
    Ok(())
}

/// About one write in 64 also deletes rows whose window ended long ago (a
/// day past the longest window); a failure there is only logged.
async fn prune_now_and_then(ctx: &AppContext) {
    if rand::random::<u8>() >= 4 {
        return;
    }
    let s = &ctx.settings.attempts;
    let longest =
        [s.login_per_account, s.login_per_ip, s.otp_per_target, s.otp_per_ip, s.verify_per_target, s.verify_per_ip]
            .iter()
            .map(|l| l.window.as_secs())
            .max()
            .unwrap_or(0);
    if let Err(err) = attempts::prune(&ctx.db, longest + 86_400, 1000).await {
        tracing::warn!(error = %err, "pruning old attempt counters failed");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_hosts_count_by_their_64() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::2".parse().unwrap();
        assert_eq!(ip_key(a), ip_key(b));
        assert_eq!(ip_key("::ffff:192.0.2.7".parse().unwrap()), "192.0.2.7");
        assert_eq!(ip_key("192.0.2.7".parse().unwrap()), "192.0.2.7");
    }
}
