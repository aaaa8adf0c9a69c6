//! The sender's own settings (the WhatsApp driver reads its own in
//! `driver::DriverConfig`). Read once at start; every problem is named.

use std::{path::PathBuf, time::Duration};

use shared::{
    config::{AwsSettings, ConfigError},
    message::OptOutKeywords,
};

#[derive(Debug, Clone)]
pub struct SenderSettings {
    pub database_url: String,
    pub aws: AwsSettings,
    /// `SENDER_ID`: this process's name in leases; unique per process.
    pub sender_id: String,
    /// `SENDER_MAX_SESSIONS`: how many WhatsApp sessions (browsers) at once.
    pub max_sessions: usize,
    /// `SENDER_PROFILE_DIR`: where Chromium profiles live while in use.
    pub profile_dir: PathBuf,
    /// `SQS_INBOX_DLQ_ARN`: the dead-letter queue for per-sender inboxes.
    pub inbox_dead_letter_arn: String,
    /// `SQS_INBOX_PREFIX`: inbox queues are named `{prefix}-{sender id}`.
    pub inbox_prefix: String,
    /// `SQS_MAX_RECEIVES`: receives before a message goes to the DLQ.
    pub max_receives: u32,
    /// `SQS_VISIBILITY_TIMEOUT_SECONDS`: how long a received, unhandled
    /// message stays hidden before it is offered again.
    pub visibility_timeout: Duration,
    /// `LEASE_TTL_SECONDS`: how long a session lease outlives its last heartbeat.
    pub lease_ttl: Duration,
    /// `HEARTBEAT_SECONDS`: how often leases are renewed (well under the TTL).
    pub heartbeat: Duration,
    /// `SESSION_IDLE_TIMEOUT_SECONDS`: a session that sends nothing this long
    /// is closed (its snapshot stays, so it reopens without a QR).
    pub idle_timeout: Duration,
    /// `LINKING_TIMEOUT_SECONDS` and the other link limits: a session whose
    /// QR (or pairing code) nobody used this long closes and frees its slot.
    pub linking: shared::whatsapp::LinkingSettings,
    /// `SEND_INTERVAL_OVERRIDE_MS`: replaces every campaign's interval. For
    /// tests and demos only; unset in production.
    pub interval_override: Option<Duration>,
    /// `SHUTDOWN_GRACE_SECONDS`: how long a drain may take (ECS stops a task
    /// 30 s after SIGTERM by default).
    pub shutdown_grace: Duration,
    /// `OPT_OUT_KEYWORDS`: comma-separated replies that put the number on
    /// the owner's suppression list (default: لغو, ۱۱, 11, stop,
    /// unsubscribe, انصراف).
    pub opt_out_keywords: OptOutKeywords,
    /// `SESSION_WAIT_CLOSE_SECONDS`: a campaign that must wait longer than
    /// this (a cap, its sending hours) closes its session; the fleet takes
    /// it up again when the wait ends.
    pub wait_close_after: Duration,
    /// `TIMELOCK_RECHECK_SECONDS` (3600): when WhatsApp's timelock closes a
    /// recipient's chat without saying until when (the page never does),
    /// the recipient is tried again after this long.
    pub timelock_recheck: Duration,
    /// The send governor's caps, pacing and typing (`GOVERNOR_*`, `TYPING_MS`).
    pub governor: shared::governor::GovernorSettings,
    /// `SENDER_OPS_PORT`: the local port of `/metrics`, `/healthz` and
    /// `/readyz` (0: not served).
    pub ops_port: u16,
    /// `SENDER_MEMORY_LIMIT_MB`: when the browsers' memory (PSS, summed over
    /// sessions) passes this, the sessions are drained and start again on
    /// fresh browsers (0: no limit).
    pub memory_limit_bytes: u64,
}

impl SenderSettings {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_source(|name| std::env::var(name).ok())
    }

    pub fn from_source(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let value = |name: &str| lookup(name).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
        let mut problems = Vec::new();
        let mut required = |name: &str| {
            value(name).unwrap_or_else(|| {
                problems.push(format!("{name}: required but not set"));
                String::new()
            })
        };
        let database_url = required("DATABASE_URL");
        let inbox_dead_letter_arn = required("SQS_INBOX_DLQ_ARN");
        let aws = AwsSettings::from_source(&lookup).map_err(|e| problems.extend(e.0)).ok();
        let governor = shared::governor::GovernorSettings::from_source(&lookup)
            .map_err(|e| problems.extend(e.0))
            .unwrap_or_default();
        let linking = shared::whatsapp::LinkingSettings::from_source(&lookup)
            .map_err(|e| problems.extend(e.0))
            .unwrap_or_default();
        let mut number = |name: &str, default: u64| match value(name) {
            None => default,
            Some(raw) => raw.parse().unwrap_or_else(|_| {
                problems.push(format!("{name}: `{raw}` is not a whole number"));
                default
            }),
        };
        let max_sessions = number("SENDER_MAX_SESSIONS", 5) as usize;
        let max_receives = number("SQS_MAX_RECEIVES", 3) as u32;
        let visibility_timeout = Duration::from_secs(number("SQS_VISIBILITY_TIMEOUT_SECONDS", 30));
        let lease_ttl = Duration::from_secs(number("LEASE_TTL_SECONDS", 15));
        let heartbeat = Duration::from_secs(number("HEARTBEAT_SECONDS", 4));
        let idle_timeout = Duration::from_secs(number("SESSION_IDLE_TIMEOUT_SECONDS", 1800));
        let shutdown_grace = Duration::from_secs(number("SHUTDOWN_GRACE_SECONDS", 25));
        let wait_close_after = Duration::from_secs(number("SESSION_WAIT_CLOSE_SECONDS", 120));
        let timelock_recheck = Duration::from_secs(number("TIMELOCK_RECHECK_SECONDS", 86_400));
        let interval_override =
            value("SEND_INTERVAL_OVERRIDE_MS").map(|_| Duration::from_millis(number("SEND_INTERVAL_OVERRIDE_MS", 0)));
        let ops_port = number("SENDER_OPS_PORT", 9100);
        let memory_limit_bytes = number("SENDER_MEMORY_LIMIT_MB", 0) * 1024 * 1024;
        if ops_port > u64::from(u16::MAX) {
            problems.push(format!("SENDER_OPS_PORT: {ops_port} is not a port"));
        }
        if heartbeat >= lease_ttl {
            problems.push("HEARTBEAT_SECONDS: must be shorter than LEASE_TTL_SECONDS".into());
        }
        if !problems.is_empty() {
            return Err(ConfigError(problems));
        }
        Ok(Self {
            database_url,
            aws: aws.expect("no problems means the AWS settings parsed"),
            sender_id: value("SENDER_ID").unwrap_or_else(default_sender_id),
            max_sessions,
            profile_dir: value("SENDER_PROFILE_DIR").unwrap_or_else(|| "/tmp/wa-sender-profiles".into()).into(),
            inbox_dead_letter_arn,
            inbox_prefix: value("SQS_INBOX_PREFIX").unwrap_or_else(|| "wa-sender".into()),
            max_receives,
            visibility_timeout,
            lease_ttl,
            heartbeat,
            idle_timeout,
            linking,
            interval_override,
            shutdown_grace,
            opt_out_keywords: value("OPT_OUT_KEYWORDS").map(|raw| OptOutKeywords::parse(&raw)).unwrap_or_default(),
            wait_close_after,
            timelock_recheck,
            governor,
            ops_port: ops_port as u16,
            memory_limit_bytes,
        })
    }
}

/// Host name plus a random suffix: unique even for two processes on one host.
fn default_sender_id() -> String {
    let host =
        std::fs::read_to_string("/etc/hostname").map(|h| h.trim().to_owned()).unwrap_or_else(|_| "sender".into());
    let host: String = host.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').take(40).collect();
    format!("{host}-{}", &uuid::Uuid::new_v4().simple().to_string()[..8])
}
