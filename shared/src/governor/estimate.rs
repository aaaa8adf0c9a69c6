//! When will a campaign finish? The pending recipients are walked through
//! the governor's own rules, message by message, on a simulated clock: a
//! restriction in force, the sending hours, the hourly, quarter-hour and
//! daily caps (with the warm-up ramp), and for recipients who never wrote
//! to the number the timelock, WhatsApp's quota and the cold budget; warm
//! recipients go first, as the sender sends them. Between two messages come
//! the typing time and the mean pause of [`pacing::pause_after`] (a fixed
//! seeded sample, so an estimate does not jump between two requests), and a
//! long break after the middle of `GOVERNOR_BREAK_EVERY` messages.
//!
//! What it cannot know, it leaves out: other campaigns of the number
//! sending meanwhile, replies that turn cold recipients warm or give
//! WhatsApp's quota back, restrictions and timelocks still to come, the
//! driver's own seconds per message. It is an estimate for people, not a
//! schedule: nothing here decides a send.
//!
//! [`finish_at`] is pure (tested with a controlled clock); [`for_campaign`]
//! reads what it needs from MySQL.

use std::time::Duration;

use chrono::{DateTime, NaiveTime, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;
use rand::{rngs::StdRng, SeedableRng};

use super::{
    caps,
    cold::{self, WhatsappQuota},
    pacing::{self, Streak},
    settings::GovernorSettings,
    window::SendWindow,
};
use crate::{
    domain::CampaignStatus,
    repo::{campaigns::CampaignRecord, recipients, whatsapp_accounts},
};

/// What is left to send, and how the campaign sends it.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Pending recipients who wrote to the number (sent first).
    pub warm: u64,
    /// Pending recipients who never did.
    pub cold: u64,
    /// The campaign's interval: the floor of every pause.
    pub floor: Duration,
    /// How long "typing…" shows before each message (see [`mean_typing`]).
    pub typing: Duration,
    /// The sending hours in the campaign's zone; `None`: any time.
    pub window: Option<(SendWindow, Tz)>,
}

/// What is known about the number now.
#[derive(Debug, Clone)]
pub struct NumberNow {
    /// Its sends (that may have left) within the last day, oldest first.
    pub sends: Vec<DateTime<Utc>>,
    /// Those of them to people who never wrote to it.
    pub cold_sends: Vec<DateTime<Utc>>,
    pub warm_up_since: DateTime<Utc>,
    pub last_sent_at: Option<DateTime<Utc>>,
    pub first_linked_at: DateTime<Utc>,
    /// WhatsApp restricted the number: nothing leaves until then.
    pub restricted_until: Option<DateTime<Utc>>,
    pub timelock_until: Option<DateTime<Utc>>,
    pub quota: Option<WhatsappQuota>,
}

impl NumberNow {
    /// A number linked at `now` that never sent: the first warm-up day and
    /// a new number's cold budget. A campaign not yet attached to a number
    /// is estimated with it: a number already warmed up can only be faster,
    /// unless WhatsApp holds it back.
    pub fn brand_new(now: DateTime<Utc>) -> Self {
        Self {
            sends: Vec::new(),
            cold_sends: Vec::new(),
            warm_up_since: now,
            last_sent_at: None,
            first_linked_at: now,
            restricted_until: None,
            timelock_until: None,
            quota: None,
        }
    }
}

/// Far enough that no real campaign gets there; past it the limits are
/// taken to never let the campaign finish.
const HORIZON_DAYS: i64 = 100 * 366;

/// The draws the mean pause and typing time are taken over, always the
/// same ones.
const SAMPLE: u32 = 1000;
const SEED: u64 = 24;

fn chrono(duration: Duration) -> TimeDelta {
    TimeDelta::from_std(duration).unwrap_or(TimeDelta::MAX)
}

/// The mean pause after a message (long breaks apart).
fn mean_pause(floor: Duration, s: &GovernorSettings) -> Duration {
    let mut rng = StdRng::seed_from_u64(SEED);
    let never_a_break = Streak { count: 0, target: u32::MAX };
    let total: Duration = (0..SAMPLE).map(|_| pacing::pause_after(floor, never_a_break, s, &mut rng).length).sum();
    total / SAMPLE
}

/// The mean "typing…" time of `text`.
pub fn mean_typing(text: &str, s: &GovernorSettings) -> Duration {
    let mut rng = StdRng::seed_from_u64(SEED);
    let total: Duration = (0..SAMPLE).map(|_| pacing::typing_time(text, s, &mut rng)).sum();
    total / SAMPLE
}

/// When the last pending message of `plan` will have left a number that is
/// `number` now (`None`: a campaign not attached to a number yet, see
/// [`NumberNow::brand_new`]), starting at `now`. `None` when the limits
/// never let it finish (a cap of zero).
pub fn finish_at(
    now: DateTime<Utc>,
    plan: &Plan,
    number: Option<&NumberNow>,
    s: &GovernorSettings,
) -> Option<DateTime<Utc>> {
    let brand_new;
    let number = match number {
        Some(number) => number,
        None => {
            brand_new = NumberNow::brand_new(now);
            &brand_new
        }
    };
    let typing = chrono(plan.typing);
    let gap = typing + chrono(mean_pause(plan.floor, s));
    let break_every = (s.break_every.0 + s.break_every.1).div_ceil(2).max(1);
    let break_length = chrono((s.break_length.0 + s.break_length.1) / 2);
    let (quarter, hour, day) = (chrono(caps::burst_window(s)), chrono(s.hour), chrono(s.day));
    let horizon = now + TimeDelta::days(HORIZON_DAYS);

    let mut hours = plan.window.map(|(window, tz)| Hours::new(window, tz));
    let mut sends = Rolling::new(&number.sends);
    let mut cold_sends = Rolling::new(&number.cold_sends);
    let mut warm_up_since = number.warm_up_since;
    let mut last_sent = number.last_sent_at;
    let mut quota = number.quota;
    let mut since_break = 0;
    let mut t = number.restricted_until.map_or(now, |until| until.max(now));
    let mut finished = now;
    let kinds = std::iter::repeat_n(false, plan.warm as usize).chain(std::iter::repeat_n(true, plan.cold as usize));
    for is_cold in kinds {
        // Asked in the order of `ledger::reserve`: hours, caps, then the cold rules.
        loop {
            if t > horizon {
                return None;
            }
            if let Some(opening) = hours.as_mut().and_then(|h| h.next_opening(t)) {
                t = opening;
                continue;
            }
            let since = caps::warm_up_since(t, warm_up_since, last_sent, s);
            let (hourly, daily, _) = caps::caps_now(t, since, s);
            if hourly == 0 || daily == 0 {
                return None;
            }
            let waits = [
                sends.room_at(0, t, quarter, caps::burst_cap(hourly)),
                sends.room_at(1, t, hour, hourly),
                sends.room_at(2, t, day, daily),
            ];
            if let Some(until) = waits.into_iter().flatten().max() {
                t = until;
                continue;
            }
            if is_cold {
                if let Some(until) = number.timelock_until.filter(|until| *until > t) {
                    t = until;
                    continue;
                }
                if let Some(q) = quota.filter(|q| cold::quota_stop(t, *q, s).is_some()) {
                    // Stopped until the cycle ends (a day when the page did
                    // not say), then taken as renewed.
                    t = q.cycle_ends_at.unwrap_or(t + day);
                    quota = None;
                    continue;
                }
                let budget = s.cold_cap_at(t, number.first_linked_at);
                if budget == 0 {
                    return None;
                }
                if let Some(until) = cold_sends.room_at(0, t, day, budget) {
                    t = until;
                    continue;
                }
            }
            break;
        }
        warm_up_since = caps::warm_up_since(t, warm_up_since, last_sent, s);
        last_sent = Some(t);
        sends.push(t);
        if is_cold {
            cold_sends.push(t);
            if let Some(q) = quota.as_mut() {
                q.used += 1;
            }
        }
        finished = t + typing;
        since_break += 1;
        t += gap;
        if since_break >= break_every {
            t += break_length;
            since_break = 0;
        }
    }
    Some(finished)
}

/// Sends in time order with a cursor per rolling window, so each question
/// "is there room?" costs no more than the sends that aged out since the
/// last one (the clock only moves forward).
struct Rolling {
    at: Vec<DateTime<Utc>>,
    /// Per window: the first send still inside it.
    from: [usize; 3],
}

impl Rolling {
    fn new(before: &[DateTime<Utc>]) -> Self {
        Self { at: before.to_vec(), from: [0; 3] }
    }

    fn push(&mut self, t: DateTime<Utc>) {
        self.at.push(t);
    }

    /// As `caps::room_at`: when `window` (cursor `slot`) holding `cap` or
    /// more sends has room again. `cap` is at least 1.
    fn room_at(&mut self, slot: usize, t: DateTime<Utc>, window: TimeDelta, cap: u32) -> Option<DateTime<Utc>> {
        let from = &mut self.from[slot];
        while *from < self.at.len() && self.at[*from] <= t - window {
            *from += 1;
        }
        let cap = cap as usize;
        (self.at.len() - *from >= cap).then(|| self.at[self.at.len() - cap] + window)
    }
}

/// The sending hours, remembering until when they are open so the time
/// zone is consulted about once a day rather than once a message.
struct Hours {
    window: SendWindow,
    tz: Tz,
    end: Option<NaiveTime>,
    open_until: Option<DateTime<Utc>>,
}

impl Hours {
    fn new(window: SendWindow, tz: Tz) -> Self {
        let end = NaiveTime::parse_from_str(&window.end(), "%H:%M").ok();
        Self { window, tz, end, open_until: None }
    }

    /// `None` when `t` is within the hours, else when they next open.
    fn next_opening(&mut self, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        if self.open_until.is_some_and(|until| t < until) {
            return None;
        }
        let opening = self.window.next_opening(t, self.tz);
        self.open_until = if opening.is_none() { self.closing_after(t) } else { None };
        opening
    }

    /// The first end of the hours after `t` (a DST gap moves it an hour on).
    fn closing_after(&self, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let end = self.end?;
        let mut day = t.with_timezone(&self.tz).date_naive();
        for _ in 0..3 {
            let naive = day.and_time(end);
            let closing = self
                .tz
                .from_local_datetime(&naive)
                .earliest()
                .or_else(|| self.tz.from_local_datetime(&(naive + TimeDelta::hours(1))).earliest())
                .map(|c| c.with_timezone(&Utc));
            if let Some(closing) = closing.filter(|c| *c > t) {
                return Some(closing);
            }
            day = day.succ_opt()?;
        }
        None
    }
}

/// When `campaign` will have sent its last pending message, starting now
/// (or at its scheduled time) from the number it is attached to; `None`
/// when it is over, has nothing pending, or never would finish. A PAUSED
/// campaign is estimated as if resumed now.
pub async fn for_campaign(
    db: &sqlx::MySqlPool,
    campaign: &CampaignRecord,
    s: &GovernorSettings,
) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
    if campaign.status.is_finished() {
        return Ok(None);
    }
    let pending = recipients::pending_by_contact_kind(db, campaign.id, campaign.whatsapp_account_id).await?;
    if pending.warm + pending.cold == 0 {
        return Ok(None);
    }
    let now = Utc::now();
    let account = match campaign.whatsapp_account_id {
        Some(id) => whatsapp_accounts::find(db, id).await?,
        None => None,
    };
    let number = match account {
        Some(account) => Some({
            let recent = whatsapp_accounts::recent_sends(db, account.id, now - chrono(s.day)).await?;
            NumberNow {
                sends: recent.all,
                cold_sends: recent.cold,
                warm_up_since: account.warm_up_since,
                last_sent_at: account.last_sent_at,
                first_linked_at: account.first_linked_at,
                restricted_until: account.restricted_until,
                timelock_until: account.timelock_until,
                quota: account.whatsapp_quota(),
            }
        }),
        None => None,
    };
    let not_started = matches!(campaign.status, CampaignStatus::Draft | CampaignStatus::Ready);
    let start = match campaign.scheduled_at {
        Some(at) if campaign.is_scheduled && not_started => at.max(now),
        _ => now,
    };
    let plan = Plan {
        warm: pending.warm,
        cold: pending.cold,
        floor: Duration::from_secs(campaign.interval.seconds()),
        typing: mean_typing(&campaign.message, s),
        window: campaign.send_window().map(|w| (w, campaign.timezone().tz())),
    };
    Ok(finish_at(start, &plan, number.as_ref(), s))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(rfc3339: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(rfc3339).unwrap().with_timezone(&Utc)
    }

    fn t0() -> DateTime<Utc> {
        at("2026-06-01T10:00:00Z")
    }

    fn settings() -> GovernorSettings {
        GovernorSettings { default_window: None, ..GovernorSettings::default() }
    }

    fn plan(warm: u64, cold: u64) -> Plan {
        Plan { warm, cold, floor: Duration::from_secs(10), typing: Duration::from_secs(2), window: None }
    }

    /// A number linked two months ago, warmed up, that sent nothing today.
    fn warmed_up() -> NumberNow {
        NumberNow {
            warm_up_since: t0() - TimeDelta::days(60),
            last_sent_at: Some(t0() - TimeDelta::days(1)),
            first_linked_at: t0() - TimeDelta::days(60),
            ..NumberNow::brand_new(t0())
        }
    }

    fn finish(plan: &Plan, number: Option<&NumberNow>) -> DateTime<Utc> {
        finish_at(t0(), plan, number, &settings()).expect("finishes")
    }

    #[test]
    fn nothing_pending_finishes_now() {
        assert_eq!(finish(&plan(0, 0), None), t0());
    }

    #[test]
    fn a_new_number_sends_twenty_cold_messages_today_and_the_other_five_a_day_later() {
        let done = finish(&plan(0, 25), None);
        assert!(done > t0() + TimeDelta::days(1), "{done}");
        assert!(done < t0() + TimeDelta::days(1) + TimeDelta::hours(1), "{done}");
        let twenty = finish(&plan(0, 20), None);
        assert!(twenty < t0() + TimeDelta::hours(1), "{twenty}");
    }

    #[test]
    fn three_hundred_cold_on_a_new_number_take_a_fortnight() {
        // 20 a day on days 0–13 while the number is new; the last 20 on day
        // 14, when its budget is 40.
        let done = finish(&plan(0, 300), None);
        assert!(done > t0() + TimeDelta::days(14) && done < t0() + TimeDelta::days(15), "{done}");
    }

    #[test]
    fn three_hundred_warm_on_a_warmed_up_number_take_five_hours_at_sixty_an_hour() {
        let done = finish(&plan(300, 0), Some(&warmed_up()));
        // 15 a quarter hour (counted over 15 min 36 s, see
        // `caps::burst_window`): 19 full windows, then the last 15.
        assert!(done > t0() + TimeDelta::minutes(19 * 15), "{done}");
        assert!(done < t0() + TimeDelta::minutes(20 * 16), "{done}");
    }

    #[test]
    fn a_small_campaign_takes_its_pauses_and_typing() {
        let done = finish(&plan(10, 0), Some(&warmed_up()));
        // Nine gaps of typing and a pause (the floor plus about 75% on
        // average), then the last message's typing.
        let elapsed = (done - t0()).num_seconds();
        assert!((9 * 17..=9 * 22 + 2).contains(&elapsed), "{elapsed} s");
    }

    #[test]
    fn the_sending_hours_push_the_finish_into_them() {
        let nine_to_five = Some((SendWindow::parse("09:00", "17:00").unwrap(), chrono_tz::UTC));
        let evening = finish_at(
            at("2026-06-01T20:00:00Z"),
            &Plan { window: nine_to_five, ..plan(10, 0) },
            Some(&warmed_up()),
            &settings(),
        )
        .unwrap();
        assert!(evening > at("2026-06-02T09:00:00Z") && evening < at("2026-06-02T09:10:00Z"), "{evening}");
        // Started just before closing: a few today, the rest the next morning.
        let closing = finish_at(
            at("2026-06-01T16:58:00Z"),
            &Plan { window: nine_to_five, ..plan(20, 0) },
            Some(&warmed_up()),
            &settings(),
        )
        .unwrap();
        assert!(closing > at("2026-06-02T09:00:00Z") && closing < at("2026-06-02T17:00:00Z"), "{closing}");
    }

    #[test]
    fn the_hours_count_in_the_campaigns_time_zone() {
        // 09:00–17:00 in Tehran (UTC+3:30) opens at 05:30 UTC.
        let window = Some((SendWindow::parse("09:00", "17:00").unwrap(), chrono_tz::Asia::Tehran));
        let done =
            finish_at(at("2026-06-01T20:00:00Z"), &Plan { window, ..plan(1, 0) }, Some(&warmed_up()), &settings())
                .unwrap();
        assert!(done > at("2026-06-02T05:30:00Z") && done < at("2026-06-02T05:31:00Z"), "{done}");
    }

    #[test]
    fn a_timelock_holds_cold_recipients_until_it_lifts_but_not_warm_ones() {
        let until = t0() + TimeDelta::hours(20);
        let locked = NumberNow { timelock_until: Some(until), ..warmed_up() };
        let cold = finish(&plan(0, 5), Some(&locked));
        assert!(cold > until && cold < until + TimeDelta::minutes(10), "{cold}");
        let warm = finish(&plan(5, 0), Some(&locked));
        assert!(warm < t0() + TimeDelta::minutes(10), "{warm}");
    }

    #[test]
    fn a_restricted_number_sends_nothing_until_the_restriction_ends() {
        let until = t0() + TimeDelta::hours(6);
        let restricted = NumberNow { restricted_until: Some(until), ..warmed_up() };
        let done = finish(&plan(1, 0), Some(&restricted));
        assert!(done > until && done < until + TimeDelta::minutes(1), "{done}");
    }

    #[test]
    fn a_spent_cold_budget_holds_cold_recipients_but_not_warm_ones() {
        // 40 cold sends 20 hours ago: an old number's whole budget for the day.
        let spent: Vec<_> = (0..40).map(|i| t0() - TimeDelta::hours(20) + TimeDelta::seconds(i * 30)).collect();
        let number = NumberNow { sends: spent.clone(), cold_sends: spent.clone(), ..warmed_up() };
        let warm = finish(&plan(30, 0), Some(&number));
        assert!(warm < t0() + TimeDelta::hours(1), "{warm}");
        let cold = finish(&plan(0, 1), Some(&number));
        assert!(cold > spent[0] + TimeDelta::days(1), "{cold}");
        assert!(cold < spent[0] + TimeDelta::days(1) + TimeDelta::minutes(1), "{cold}");
    }

    #[test]
    fn warm_recipients_go_first_and_the_cold_ones_wait_for_the_budget() {
        // A new number: 20 warm fill the first day's cap; cold ones the next.
        let done = finish(&plan(20, 5), None);
        assert!(done > t0() + TimeDelta::days(1), "{done}");
    }

    #[test]
    fn whatsapps_quota_near_its_end_holds_cold_sends_until_the_cycle_ends() {
        let cycle_end = t0() + TimeDelta::days(3);
        let quota =
            WhatsappQuota { status: cold::QuotaStatus::None, used: 12, total: 20, cycle_ends_at: Some(cycle_end) };
        let number = NumberNow { quota: Some(quota), ..warmed_up() };
        // Two more reach 70% (14 of 20); the third waits for the new cycle.
        let two = finish(&plan(0, 2), Some(&number));
        assert!(two < t0() + TimeDelta::hours(1), "{two}");
        let three = finish(&plan(0, 3), Some(&number));
        assert!(three > cycle_end && three < cycle_end + TimeDelta::minutes(1), "{three}");
    }

    #[test]
    fn a_number_idle_for_days_warms_up_again() {
        let idle = NumberNow { last_sent_at: Some(t0() - TimeDelta::days(5)), ..warmed_up() };
        // Its first day's cap is 20 again: 30 warm ones spill into the next day.
        let done = finish(&plan(30, 0), Some(&idle));
        assert!(done > t0() + TimeDelta::days(1), "{done}");
    }

    #[test]
    fn a_cap_of_zero_never_finishes() {
        let s = GovernorSettings { daily_cap: 0, warm_up_ramp: vec![], ..settings() };
        assert_eq!(finish_at(t0(), &plan(1, 0), Some(&warmed_up()), &s), None);
    }

    #[test]
    fn a_hundred_thousand_recipients_are_estimated_at_once_at_the_daily_caps() {
        let started = std::time::Instant::now();
        let done = finish(&plan(50_000, 50_000), Some(&warmed_up()));
        // 300 warm a day: the last 200 on day 166, where the cold ones start,
        // 40 a day: their 1,250th day is day 1,415.
        let days = (done - t0()).num_minutes() as f64 / 1440.0;
        assert!((1415.0..1415.5).contains(&days), "{days} days");
        // Generous: milliseconds in a release build, far less than this unoptimised.
        assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
    }
}
