//! May this number send now? Its sending hours, then its hourly and daily
//! caps (the daily one lowered by the warm-up ramp for a new or long idle
//! number). Caps count the number's sends in rolling windows — the last
//! hour, the last day — across all its campaigns. The hourly cap is also
//! spread out: at most a quarter of it in any quarter of an hour, so a
//! number never spends its hour in a burst and then falls silent.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::{settings::GovernorSettings, window::SendWindow};

crate::string_enum!(
    /// Why a RUNNING campaign may not send now.
    WaitReason {
        HourlyLimit = "HOURLY_LIMIT",
        DailyLimit = "DAILY_LIMIT",
        WarmUp = "WARM_UP",
        OutsideSendingHours = "OUTSIDE_SENDING_HOURS",
        WhatsappTimelock = "WHATSAPP_TIMELOCK",
        ColdContactLimit = "COLD_CONTACT_LIMIT",
        WhatsappQuota = "WHATSAPP_QUOTA",
    }
);

impl WaitReason {
    /// What the user is told.
    pub fn message(self) -> &'static str {
        match self {
            WaitReason::HourlyLimit => "This WhatsApp number reached its hourly limit; sending resumes by itself",
            WaitReason::DailyLimit => "This WhatsApp number reached its daily limit; sending resumes by itself",
            WaitReason::WarmUp => {
                "This WhatsApp number is new or was idle, so it is warming up with a lower daily limit; sending resumes by itself"
            }
            WaitReason::OutsideSendingHours => "Outside the campaign's sending hours; sending starts when they begin",
            WaitReason::WhatsappTimelock => {
                "WhatsApp closed new chats for this number for a while; the remaining recipients never wrote to it, so \
                 they wait until WhatsApp lifts it by itself"
            }
            WaitReason::ColdContactLimit => {
                "This WhatsApp number sent today's share of messages to people who never wrote to it; those wait, \
                 while people who wrote to it still get theirs"
            }
            WaitReason::WhatsappQuota => {
                "WhatsApp's own limit on messages to new people is nearly used up for this number; those wait for \
                 it to renew, while people who wrote to it still get theirs"
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Send,
    Wait { until: DateTime<Utc>, reason: WaitReason },
}

/// What the rules need to know about one number.
#[derive(Debug, Clone, Copy)]
pub struct NumberState<'a> {
    /// The number's sends (that may have left) within the last day, oldest first.
    pub sends: &'a [DateTime<Utc>],
    /// Where its warm-up ramp started (see [`warm_up_since`]).
    pub warm_up_since: DateTime<Utc>,
}

fn chrono(duration: std::time::Duration) -> chrono::TimeDelta {
    chrono::TimeDelta::from_std(duration).unwrap_or(chrono::TimeDelta::MAX)
}

/// The warm-up day (0 = the first) of a number, `None` once warmed up.
pub fn warm_up_day(now: DateTime<Utc>, since: DateTime<Utc>, s: &GovernorSettings) -> Option<u32> {
    let elapsed = (now - since).to_std().unwrap_or_default();
    let day = (elapsed.as_secs_f64() / s.day.as_secs_f64()).floor() as u32;
    (day < s.warm_up_ramp.len() as u32).then_some(day)
}

/// Where the ramp starts for a number about to send: where it started
/// before, unless the number was idle longer than the idle limit.
pub fn warm_up_since(
    now: DateTime<Utc>,
    previous: DateTime<Utc>,
    last_sent_at: Option<DateTime<Utc>>,
    s: &GovernorSettings,
) -> DateTime<Utc> {
    match last_sent_at {
        Some(last) if now - last > chrono(s.warm_up_idle()) => now,
        _ => previous,
    }
}

/// The caps in force for a number now: (hourly, daily, whether the daily
/// one is the warm-up ramp's).
pub fn caps_now(now: DateTime<Utc>, warm_up_since: DateTime<Utc>, s: &GovernorSettings) -> (u32, u32, bool) {
    let (daily, warming) = s.daily_cap_on(warm_up_day(now, warm_up_since, s));
    (s.hourly_cap, daily, warming)
}

/// How many of `sends` fall within `window` before `now`.
pub fn count_within(sends: &[DateTime<Utc>], now: DateTime<Utc>, window: std::time::Duration) -> usize {
    let from = now - chrono(window);
    sends.iter().filter(|t| **t > from).count()
}

/// When a rolling `window` holding `cap` or more of `sends` has room again.
pub(super) fn room_at(
    sends: &[DateTime<Utc>],
    now: DateTime<Utc>,
    window: std::time::Duration,
    cap: u32,
) -> Option<DateTime<Utc>> {
    let from = now - chrono(window);
    let inside: Vec<&DateTime<Utc>> = sends.iter().filter(|t| **t > from).collect();
    let over = inside.len().checked_sub(cap as usize)?;
    // Room for one more once all but `cap - 1` of them have aged out (a
    // cap of 0 never has room: look again a window later).
    Some(inside.get(over).map_or(now, |t| **t) + chrono(window))
}

/// The governor's answer for one number and one campaign, at `now`.
pub fn decide(
    now: DateTime<Utc>,
    number: NumberState<'_>,
    window: Option<(&SendWindow, Tz)>,
    s: &GovernorSettings,
) -> Decision {
    if let Some(opening) = window.and_then(|(w, tz)| w.next_opening(now, tz)) {
        return Decision::Wait { until: opening, reason: WaitReason::OutsideSendingHours };
    }
    let (hourly, daily, warming) = caps_now(now, number.warm_up_since, s);
    // Users know an hourly limit, not a burst rule: both say HOURLY_LIMIT.
    let burst_wait =
        room_at(number.sends, now, burst_window(s), burst_cap(hourly)).map(|until| (until, WaitReason::HourlyLimit));
    let hour_wait = room_at(number.sends, now, s.hour, hourly).map(|until| (until, WaitReason::HourlyLimit));
    let day_reason = if warming { WaitReason::WarmUp } else { WaitReason::DailyLimit };
    let day_wait = room_at(number.sends, now, s.day, daily).map(|until| (until, day_reason));
    // Several full: the latest opening is the one that counts (the daily
    // reason on a tie, being the longer story).
    match [burst_wait, hour_wait, day_wait].into_iter().flatten().max_by_key(|(until, _)| *until) {
        None => Decision::Send,
        Some((until, reason)) => Decision::Wait { until, reason },
    }
}

/// The window the quarter-hour rule counts in: a quarter of the hour, plus
/// room for what happens between a reservation and the message's arrival
/// (at most the longest typing, and 30 s for opening the chat and the
/// driver's own time), so that no quarter hour *as the recipients see it*
/// holds more than its share. The price: at most about 58 an hour.
pub fn burst_window(s: &GovernorSettings) -> std::time::Duration {
    s.hour / 4 + s.hour / 120 + s.typing.1
}

/// The most sends a number may make in any quarter of an hour: a quarter of
/// its hourly cap, rounded up, at least one.
pub fn burst_cap(hourly: u32) -> u32 {
    hourly.div_ceil(4).max(1)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use chrono::TimeDelta;

    use super::*;

    fn t0() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-06-01T10:00:00Z").unwrap().with_timezone(&Utc)
    }

    fn settings() -> GovernorSettings {
        GovernorSettings { warm_up_ramp: vec![], default_window: None, ..GovernorSettings::default() }
    }

    /// `count` (at most 60) sends, one every 40 s from an hour before `now`:
    /// the last quarter hour is quiet, so the quarter-hour rule stays out.
    fn sends_before(now: DateTime<Utc>, count: i64) -> Vec<DateTime<Utc>> {
        (0..count).map(|i| now - TimeDelta::hours(1) + TimeDelta::seconds(40 * i)).collect()
    }

    #[test]
    fn a_number_under_its_caps_may_send() {
        let sends = sends_before(t0(), 10);
        let number = NumberState { sends: &sends, warm_up_since: t0() - TimeDelta::days(30) };
        assert_eq!(decide(t0(), number, None, &settings()), Decision::Send);
    }

    #[test]
    fn the_hourly_cap_waits_until_the_oldest_send_of_the_hour_ages_out() {
        let sends = sends_before(t0(), 60);
        let number = NumberState { sends: &sends, warm_up_since: t0() - TimeDelta::days(30) };
        let decision = decide(t0(), number, None, &settings());
        // The oldest was 60 minutes ago... exactly at the window's edge: it
        // is already out, so 59 remain and one more may go.
        assert_eq!(decision, Decision::Send);
        let later = t0() - TimeDelta::seconds(30);
        let decision = decide(later, number, None, &settings());
        assert_eq!(decision, Decision::Wait { until: sends[0] + TimeDelta::hours(1), reason: WaitReason::HourlyLimit });
    }

    #[test]
    fn fifteen_sends_within_ten_minutes_wait_until_the_oldest_leaves_the_quarter_hour() {
        let sends: Vec<_> = (0..15).map(|i| t0() - TimeDelta::seconds(600 - i * 40)).collect();
        let number = NumberState { sends: &sends, warm_up_since: t0() - TimeDelta::days(30) };
        assert_eq!(
            decide(t0(), number, None, &settings()),
            Decision::Wait { until: sends[0] + chrono(burst_window(&settings())), reason: WaitReason::HourlyLimit }
        );
        // A quarter hour, the longest typing and 30 s for the rest.
        assert_eq!(burst_window(&settings()), Duration::from_secs(15 * 60 + 6 + 30));
        assert_eq!(decide(sends[0] + chrono(burst_window(&settings())), number, None, &settings()), Decision::Send);
    }

    #[test]
    fn fourteen_sends_within_ten_minutes_leave_room_for_one_more() {
        let sends: Vec<_> = (0..14).map(|i| t0() - TimeDelta::seconds(600 - i * 40)).collect();
        let number = NumberState { sends: &sends, warm_up_since: t0() - TimeDelta::days(30) };
        assert_eq!(decide(t0(), number, None, &settings()), Decision::Send);
    }

    #[test]
    fn the_quarter_hour_cap_is_a_quarter_of_the_hourly_one_rounded_up_and_never_zero() {
        assert_eq!([60, 61, 10, 3, 1, 0].map(burst_cap), [15, 16, 3, 1, 1, 1]);
    }

    #[test]
    fn the_quarter_hour_shrinks_with_a_shortened_hour() {
        let s = GovernorSettings { hourly_cap: 4, hour: Duration::from_secs(40), ..settings() };
        let sends = [t0() - TimeDelta::seconds(5)];
        let number = NumberState { sends: &sends, warm_up_since: t0() - TimeDelta::days(30) };
        assert_eq!(
            decide(t0(), number, None, &s),
            Decision::Wait { until: sends[0] + chrono(burst_window(&s)), reason: WaitReason::HourlyLimit }
        );
    }

    #[test]
    fn the_daily_cap_counts_the_last_day_and_says_daily_limit() {
        let s = GovernorSettings { daily_cap: 5, ..settings() };
        let sends: Vec<_> = (0..5).map(|i| t0() - TimeDelta::hours(10 - i)).collect();
        let number = NumberState { sends: &sends, warm_up_since: t0() - TimeDelta::days(30) };
        assert_eq!(
            decide(t0(), number, None, &s),
            Decision::Wait { until: sends[0] + TimeDelta::days(1), reason: WaitReason::DailyLimit }
        );
    }

    #[test]
    fn a_new_number_sends_at_most_the_first_ramp_step_on_its_first_day() {
        let s = GovernorSettings::default();
        let sends = sends_before(t0(), 20);
        let number = NumberState { sends: &sends, warm_up_since: t0() - TimeDelta::hours(2) };
        let decision = decide(t0(), number, None, &s);
        assert!(matches!(decision, Decision::Wait { reason: WaitReason::WarmUp, .. }), "{decision:?}");
        let nineteen = &sends[1..];
        assert_eq!(decide(t0(), NumberState { sends: nineteen, ..number }, None, &s), Decision::Send);
    }

    #[test]
    fn the_ramp_rises_day_by_day_and_ends_at_the_normal_cap() {
        let s = GovernorSettings::default();
        let linked = t0();
        let cap_on = |days: i64| caps_now(linked + TimeDelta::days(days) + TimeDelta::minutes(1), linked, &s).1;
        assert_eq!((0..8).map(cap_on).collect::<Vec<_>>(), vec![20, 36, 65, 117, 210, 300, 300, 300]);
    }

    #[test]
    fn a_long_idle_number_warms_up_again() {
        let s = GovernorSettings::default();
        let first = t0() - TimeDelta::days(60);
        assert_eq!(warm_up_since(t0(), first, Some(t0() - TimeDelta::hours(73)), &s), t0());
        assert_eq!(warm_up_since(t0(), first, Some(t0() - TimeDelta::hours(71)), &s), first);
    }

    #[test]
    fn outside_the_window_the_wait_ends_at_the_next_opening() {
        let window = SendWindow::parse("08:00", "09:00").unwrap();
        let number = NumberState { sends: &[], warm_up_since: t0() };
        let decision = decide(t0(), number, Some((&window, chrono_tz::UTC)), &settings());
        assert_eq!(
            decision,
            Decision::Wait { until: t0() + TimeDelta::hours(22), reason: WaitReason::OutsideSendingHours }
        );
    }

    #[test]
    fn shortened_days_scale_every_window() {
        let s =
            GovernorSettings { daily_cap: 3, hour: Duration::from_secs(2), day: Duration::from_secs(10), ..settings() };
        let sends: Vec<_> = (0..3).map(|i| t0() - TimeDelta::seconds(5 - i)).collect();
        let number = NumberState { sends: &sends, warm_up_since: t0() - TimeDelta::days(1) };
        assert_eq!(
            decide(t0(), number, None, &s),
            Decision::Wait { until: sends[0] + TimeDelta::seconds(10), reason: WaitReason::DailyLimit }
        );
        assert_eq!(decide(t0() + TimeDelta::seconds(6), number, None, &s), Decision::Send);
    }
}
