//! What a user sees of their WhatsApp numbers (`GET /api/whatsapp-accounts`):
//! the link state, this hour's and today's sends (rolling windows, across every campaign and
//! sender), the caps in force, the warm-up day, a restriction, the last
//! breaker trip.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{caps, cold::WhatsappQuota, settings::GovernorSettings};
use crate::repo::whatsapp_accounts::{self, AccountRow, AccountStatus};

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BreakerTrip {
    pub reason: String,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AccountSummary {
    pub id: i64,
    /// E.164 digits; `null` until the number is linked.
    #[schema(example = "989121234567")]
    pub phone: Option<String>,
    pub status: AccountStatus,
    /// Linked now: campaigns can send from it without a scan.
    pub is_connected: bool,
    /// Why it is disconnected or removed.
    pub status_reason: Option<String>,
    pub connected_at: Option<DateTime<Utc>>,
    pub last_activity: Option<DateTime<Utc>>,
    pub first_linked_at: DateTime<Utc>,
    pub last_sent_at: Option<DateTime<Utc>>,
    pub sent_this_hour: u32,
    pub sent_today: u32,
    pub hourly_cap: u32,
    pub daily_cap: u32,
    /// 1 on the first day of a new (or long idle) number; `null` once warmed up.
    pub warm_up_day: Option<u32>,
    pub restricted_until: Option<DateTime<Utc>>,
    /// While WhatsApp's reach-out timelock closes new chats (people who
    /// never wrote to the number); chats with people who wrote still work.
    pub timelock_until: Option<DateTime<Utc>>,
    pub last_breaker: Option<BreakerTrip>,
    /// Messages sent today (rolling day) to people who never wrote to the number.
    pub cold_today: u32,
    /// Today's budget of those: 20 while the number is new, then 40 (`GOVERNOR_COLD_DAILY_CAP`).
    pub cold_daily_cap: u32,
    /// WhatsApp's own new-chat quota as its page last showed it; `null` when unknown.
    pub whatsapp_quota: Option<WhatsappQuota>,
    /// Whole days since the phone last linked this device.
    pub linked_days_ago: u32,
    /// WhatsApp logs a linked device out about 14 days after the phone was
    /// last active: open WhatsApp on the phone (or link again) before then.
    pub relink_due_at: DateTime<Utc>,
}

/// How many days after the phone was last seen WhatsApp logs a linked
/// device out (`docs/whatsapp-web-evidence.md`), and when the user is warned.
pub const RELINK_AFTER_DAYS: u32 = 14;
pub const RELINK_WARN_AFTER_DAYS: u32 = 10;

pub fn relink_due_at(phone_seen: DateTime<Utc>, s: &GovernorSettings) -> DateTime<Utc> {
    phone_seen + chrono(s.day * RELINK_AFTER_DAYS)
}

/// Whether the user should be warned now that the link is due soon.
pub fn relink_warning_due(now: DateTime<Utc>, phone_seen: DateTime<Utc>, s: &GovernorSettings) -> bool {
    now >= phone_seen + chrono(s.day * RELINK_WARN_AFTER_DAYS)
}

fn chrono(duration: std::time::Duration) -> chrono::TimeDelta {
    chrono::TimeDelta::from_std(duration).unwrap_or(chrono::TimeDelta::MAX)
}

pub async fn owned(
    db: &sqlx::MySqlPool,
    user_id: i64,
    s: &GovernorSettings,
) -> Result<Vec<AccountSummary>, sqlx::Error> {
    let mut summaries = Vec::new();
    for account in whatsapp_accounts::owned(db, user_id).await? {
        summaries.push(summary(db, account, s).await?);
    }
    Ok(summaries)
}

/// One account as the user sees it.
pub async fn summary(
    db: &sqlx::MySqlPool,
    account: AccountRow,
    s: &GovernorSettings,
) -> Result<AccountSummary, sqlx::Error> {
    let now = Utc::now();
    let recent = whatsapp_accounts::recent_sends(db, account.id, now - chrono(s.day)).await?;
    let (sends, cold_sends) = (recent.all, recent.cold);
    let phone_seen = account.phone_seen();
    let whatsapp_quota = account.whatsapp_quota();
    let warm_up_since = caps::warm_up_since(now, account.warm_up_since, account.last_sent_at, s);
    let (hourly_cap, daily_cap, _) = caps::caps_now(now, warm_up_since, s);
    let linked_for = (now - phone_seen).to_std().unwrap_or_default();
    Ok(AccountSummary {
        cold_today: cold_sends.len() as u32,
        cold_daily_cap: s.cold_cap_at(now, account.first_linked_at),
        whatsapp_quota,
        linked_days_ago: (linked_for.as_secs_f64() / s.day.as_secs_f64()).floor() as u32,
        relink_due_at: relink_due_at(phone_seen, s),
        id: account.id,
        phone: account.phone,
        status: account.status,
        is_connected: account.status == AccountStatus::Connected,
        status_reason: account.status_reason,
        connected_at: account.connected_at,
        last_activity: account.last_activity,
        first_linked_at: account.first_linked_at,
        last_sent_at: account.last_sent_at,
        sent_this_hour: caps::count_within(&sends, now, s.hour) as u32,
        sent_today: sends.len() as u32,
        hourly_cap,
        daily_cap,
        warm_up_day: caps::warm_up_day(now, warm_up_since, s).map(|day| day + 1),
        restricted_until: account.restricted_until.filter(|until| *until > now),
        timelock_until: account.timelock_until.filter(|until| *until > now),
        last_breaker: account
            .last_breaker_reason
            .zip(account.last_breaker_at)
            .map(|(reason, at)| BreakerTrip { reason, at }),
    })
}

#[cfg(test)]
mod tests {
    use chrono::TimeDelta;

    use super::*;

    #[test]
    fn the_link_is_due_fourteen_days_after_the_phone_was_seen_and_warned_from_day_ten() {
        let s = GovernorSettings::default();
        let seen = DateTime::parse_from_rfc3339("2026-06-01T10:00:00Z").unwrap().to_utc();
        assert_eq!(relink_due_at(seen, &s), seen + TimeDelta::days(14));
        assert!(!relink_warning_due(seen + TimeDelta::days(10) - TimeDelta::minutes(1), seen, &s));
        assert!(relink_warning_due(seen + TimeDelta::days(10), seen, &s));
    }
}
