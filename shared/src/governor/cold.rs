//! Messages to people who never wrote to the number ("cold") are what
//! WhatsApp watches in 2025–26 (`docs/whatsapp-web-evidence.md`): its reach-out
//! timelock closes new chats after too many, its own new-chat quota counts
//! them, and community reports put restriction at 15–20 a day. So before a
//! cold message three things are asked, WhatsApp's word first: is the
//! timelock on, is WhatsApp's quota near its end, is the number's own cold
//! budget for the day spent. Warm recipients (they wrote to the number) are
//! asked none of this: their chats keep working.

use chrono::{DateTime, Utc};

use super::{
    caps::{room_at, WaitReason},
    settings::GovernorSettings,
};

crate::string_enum!(
    /// Whether the recipient ever wrote to the number the campaign sends from.
    ContactKind {
        Cold = "cold",
        Warm = "warm",
    }
);

crate::string_enum!(
    /// WhatsApp's new-chat quota status, as WhatsApp Web names it.
    QuotaStatus {
        None = "NONE",
        FirstWarning = "FIRST_WARNING",
        SecondWarning = "SECOND_WARNING",
        Capped = "CAPPED",
    }
);

/// WhatsApp's own count of the number's messages to people who have not
/// replied, as the page last showed it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WhatsappQuota {
    #[schema(value_type = String, example = "FIRST_WARNING")]
    pub status: QuotaStatus,
    pub used: u32,
    pub total: u32,
    /// When WhatsApp starts a new cycle (`null`: the page did not say).
    pub cycle_ends_at: Option<DateTime<Utc>>,
}

/// What the cold rules need to know about one number.
#[derive(Debug, Clone, Copy)]
pub struct ColdState<'a> {
    /// The number's cold sends (that may have left) within the last day.
    pub cold_sends: &'a [DateTime<Utc>],
    pub first_linked: DateTime<Utc>,
    pub timelock_until: Option<DateTime<Utc>>,
    pub quota: Option<WhatsappQuota>,
}

/// `Some((until, reason))` when a cold message may not leave now.
pub fn decide_cold(
    now: DateTime<Utc>,
    number: ColdState<'_>,
    s: &GovernorSettings,
) -> Option<(DateTime<Utc>, WaitReason)> {
    if let Some(until) = number.timelock_until.filter(|until| *until > now) {
        return Some((until, WaitReason::WhatsappTimelock));
    }
    if let Some(until) = number.quota.and_then(|quota| quota_stop(now, quota, s)) {
        return Some((until, WaitReason::WhatsappQuota));
    }
    let cap = s.cold_cap_at(now, number.first_linked);
    room_at(number.cold_sends, now, s.day, cap).map(|until| (until, WaitReason::ColdContactLimit))
}

/// Until when WhatsApp's timelock holds cold sends: the end the page
/// states, or `assumed` from now when it states none (24 h by default,
/// `TIMELOCK_RECHECK_SECONDS`: then a cold send is tried again).
pub fn timelock_end(now: DateTime<Utc>, stated: Option<DateTime<Utc>>, assumed: std::time::Duration) -> DateTime<Utc> {
    stated.unwrap_or_else(|| now + chrono::TimeDelta::from_std(assumed).unwrap_or(chrono::TimeDelta::days(1)))
}

/// Until when WhatsApp's quota stops cold sends, if it does. At the second
/// warning (or capped) the cycle must end; at the first warning or
/// `quota_stop_percent` used, the page is looked at again within the hour,
/// since replies give quota back. A cycle that has ended is stale.
pub fn quota_stop(now: DateTime<Utc>, quota: WhatsappQuota, s: &GovernorSettings) -> Option<DateTime<Utc>> {
    let cycle_end = quota.cycle_ends_at;
    if cycle_end.is_some_and(|end| end <= now) {
        return None;
    }
    let hour = chrono::TimeDelta::from_std(s.hour).unwrap_or(chrono::TimeDelta::hours(1));
    let day = chrono::TimeDelta::from_std(s.day).unwrap_or(chrono::TimeDelta::days(1));
    let nearly_used =
        quota.total > 0 && u64::from(quota.used) * 100 >= u64::from(quota.total) * u64::from(s.quota_stop_percent);
    match quota.status {
        QuotaStatus::SecondWarning | QuotaStatus::Capped => Some(cycle_end.unwrap_or(now + day)),
        QuotaStatus::FirstWarning => Some(cycle_end.map_or(now + hour, |end| end.min(now + hour))),
        QuotaStatus::None if nearly_used => Some(cycle_end.map_or(now + hour, |end| end.min(now + hour))),
        QuotaStatus::None => None,
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeDelta;

    use super::*;

    fn t0() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-06-01T10:00:00Z").unwrap().with_timezone(&Utc)
    }

    fn new_number(cold_sends: &[DateTime<Utc>]) -> ColdState<'_> {
        ColdState { cold_sends, first_linked: t0() - TimeDelta::days(2), timelock_until: None, quota: None }
    }

    fn sends(count: i64) -> Vec<DateTime<Utc>> {
        (0..count).map(|i| t0() - TimeDelta::minutes(120 - i)).collect()
    }

    fn quota(status: QuotaStatus, used: u32, total: u32) -> WhatsappQuota {
        WhatsappQuota { status, used, total, cycle_ends_at: Some(t0() + TimeDelta::days(10)) }
    }

    #[test]
    fn a_new_number_sends_twenty_cold_messages_a_day() {
        let s = GovernorSettings::default();
        assert_eq!(decide_cold(t0(), new_number(&sends(19)), &s), None);
        let twenty = sends(20);
        assert_eq!(
            decide_cold(t0(), new_number(&twenty), &s),
            Some((twenty[0] + TimeDelta::days(1), WaitReason::ColdContactLimit))
        );
    }

    #[test]
    fn after_fourteen_days_the_cold_budget_is_forty() {
        let s = GovernorSettings::default();
        let thirty = sends(30);
        let older = ColdState { first_linked: t0() - TimeDelta::days(15), ..new_number(&thirty) };
        assert_eq!(decide_cold(t0(), older, &s), None);
        let forty = sends(40);
        let older = ColdState { cold_sends: &forty, ..older };
        assert!(matches!(decide_cold(t0(), older, &s), Some((_, WaitReason::ColdContactLimit))));
    }

    #[test]
    fn the_timelock_stops_cold_sends_until_its_end() {
        let s = GovernorSettings::default();
        let until = t0() + TimeDelta::hours(5);
        let locked = ColdState { timelock_until: Some(until), ..new_number(&[]) };
        assert_eq!(decide_cold(t0(), locked, &s), Some((until, WaitReason::WhatsappTimelock)));
        assert_eq!(decide_cold(until + TimeDelta::seconds(1), locked, &s), None);
    }

    #[test]
    fn a_timelock_without_a_stated_end_holds_cold_sends_for_the_assumed_day() {
        let s = GovernorSettings::default();
        let day = std::time::Duration::from_secs(86_400);
        let stated = t0() + TimeDelta::hours(3);
        assert_eq!(timelock_end(t0(), Some(stated), day), stated);
        let assumed = timelock_end(t0(), None, day);
        assert_eq!(assumed, t0() + TimeDelta::days(1));
        let locked = ColdState { timelock_until: Some(assumed), ..new_number(&[]) };
        let hours_later = t0() + TimeDelta::hours(23);
        assert_eq!(decide_cold(hours_later, locked, &s), Some((assumed, WaitReason::WhatsappTimelock)));
        assert_eq!(decide_cold(assumed, locked, &s), None, "tried again once the day is over");
    }

    #[test]
    fn the_quota_stops_cold_sends_at_the_first_warning_or_seventy_percent() {
        let s = GovernorSettings::default();
        let hour_later = t0() + TimeDelta::hours(1);
        for (status, used, stopped) in [
            (QuotaStatus::None, 13, None),
            (QuotaStatus::None, 14, Some(hour_later)),
            (QuotaStatus::FirstWarning, 2, Some(hour_later)),
        ] {
            let number = ColdState { quota: Some(quota(status, used, 20)), ..new_number(&[]) };
            let expected = stopped.map(|until| (until, WaitReason::WhatsappQuota));
            assert_eq!(decide_cold(t0(), number, &s), expected, "{status} {used}/20");
        }
    }

    #[test]
    fn a_second_warning_or_the_cap_stops_cold_sends_until_the_cycle_ends() {
        let s = GovernorSettings::default();
        for status in [QuotaStatus::SecondWarning, QuotaStatus::Capped] {
            let q = quota(status, 18, 20);
            let number = ColdState { quota: Some(q), ..new_number(&[]) };
            assert_eq!(decide_cold(t0(), number, &s), Some((q.cycle_ends_at.unwrap(), WaitReason::WhatsappQuota)));
            // A new cycle: the stored state is stale.
            assert_eq!(decide_cold(q.cycle_ends_at.unwrap(), number, &s), None);
        }
        let unknown_end = WhatsappQuota { cycle_ends_at: None, ..quota(QuotaStatus::Capped, 20, 20) };
        let number = ColdState { quota: Some(unknown_end), ..new_number(&[]) };
        assert_eq!(decide_cold(t0(), number, &s), Some((t0() + TimeDelta::days(1), WaitReason::WhatsappQuota)));
    }
}
