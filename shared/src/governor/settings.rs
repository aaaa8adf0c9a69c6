//! The governor's settings, read from the environment by every process that
//! applies or shows the rules (the sender, the campaigns API, the
//! scheduler). `GOVERNOR_HOUR_SECONDS` and `GOVERNOR_DAY_SECONDS` exist for
//! tests and demos only: they shorten the cap windows and warm-up days so
//! time-based rules can be watched in seconds.

use std::time::Duration;

use super::window::SendWindow;
use crate::config::ConfigError;

#[derive(Debug, Clone)]
pub struct GovernorSettings {
    /// `GOVERNOR_HOURLY_CAP`: messages per number per hour.
    pub hourly_cap: u32,
    /// `GOVERNOR_DAILY_CAP`: messages per number per day, once warmed up.
    pub daily_cap: u32,
    /// `GOVERNOR_WARM_UP_RAMP`: the daily cap of a new (or long idle) number
    /// on its first days; after the last entry the normal cap applies.
    pub warm_up_ramp: Vec<u32>,
    /// `GOVERNOR_WARM_UP_IDLE_HOURS`: a number idle this long warms up again.
    pub warm_up_idle_hours: u32,
    /// `GOVERNOR_JITTER_PERCENT`: each pause is the interval plus a random
    /// extra whose median is this percent of the interval (log-normal: mostly
    /// near it, now and then several times it; see `pacing`).
    pub jitter_percent: u32,
    /// `GOVERNOR_BREAK_EVERY`: a long break after this many messages (a
    /// random count in the range, drawn again after each break).
    pub break_every: (u32, u32),
    /// `GOVERNOR_BREAK_MS`: how long a long break lasts (random in the range).
    pub break_length: (Duration, Duration),
    /// `TYPING_MS`: how long "typing…" shows before a message, growing with
    /// its length between these bounds.
    pub typing: (Duration, Duration),
    /// `GOVERNOR_COLD_DAILY_CAP` (`20,40`): messages per number per day to
    /// people who never wrote to it, while the number is new, then after
    /// (one value: both). Counted within the daily cap.
    pub cold_daily_cap: (u32, u32),
    /// `GOVERNOR_COLD_NEW_DAYS` (14): how many days a number counts as new
    /// for the cold budget, from its first link.
    pub cold_new_days: u32,
    /// `GOVERNOR_QUOTA_STOP_PERCENT` (70): cold sends stop when this much of
    /// WhatsApp's own new-chat quota is used (or at its first warning).
    pub quota_stop_percent: u32,
    /// `SEND_WINDOW_DEFAULT`: a new campaign's sending hours (`none`: any time).
    pub default_window: Option<SendWindow>,
    /// `GOVERNOR_HOUR_SECONDS` (tests and demos only): the length of an "hour".
    pub hour: Duration,
    /// `GOVERNOR_DAY_SECONDS` (tests and demos only): the length of a "day".
    pub day: Duration,
}

impl Default for GovernorSettings {
    fn default() -> Self {
        Self {
            hourly_cap: 60,
            daily_cap: 300,
            warm_up_ramp: vec![20, 36, 65, 117, 210, 378],
            warm_up_idle_hours: 72,
            jitter_percent: 50,
            break_every: (15, 25),
            break_length: (Duration::from_secs(60), Duration::from_secs(180)),
            typing: (Duration::from_secs(1), Duration::from_secs(6)),
            cold_daily_cap: (20, 40),
            cold_new_days: 14,
            quota_stop_percent: 70,
            default_window: SendWindow::parse("08:00", "21:00").ok(),
            hour: Duration::from_secs(3600),
            day: Duration::from_secs(86_400),
        }
    }
}

impl GovernorSettings {
    pub fn from_source(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let value = |name: &str| lookup(name).map(|v| v.trim().to_owned());
        let mut problems = Vec::new();
        let mut s = Self::default();
        let mut number = |name: &str, into: &mut u32| {
            if let Some(raw) = value(name).filter(|v| !v.is_empty()) {
                match raw.parse() {
                    Ok(n) => *into = n,
                    Err(_) => problems.push(format!("{name}: `{raw}` is not a whole number")),
                }
            }
        };
        number("GOVERNOR_HOURLY_CAP", &mut s.hourly_cap);
        number("GOVERNOR_DAILY_CAP", &mut s.daily_cap);
        number("GOVERNOR_WARM_UP_IDLE_HOURS", &mut s.warm_up_idle_hours);
        number("GOVERNOR_JITTER_PERCENT", &mut s.jitter_percent);
        number("GOVERNOR_COLD_NEW_DAYS", &mut s.cold_new_days);
        number("GOVERNOR_QUOTA_STOP_PERCENT", &mut s.quota_stop_percent);
        if let Some(raw) = value("GOVERNOR_COLD_DAILY_CAP").filter(|v| !v.is_empty()) {
            let parsed: Result<Vec<u32>, _> = raw.split(',').map(|p| p.trim().parse::<u32>()).collect();
            match parsed.as_deref() {
                Ok([both]) => s.cold_daily_cap = (*both, *both),
                Ok([new, after]) => s.cold_daily_cap = (*new, *after),
                _ => problems.push(format!(
                    "GOVERNOR_COLD_DAILY_CAP: `{raw}` is not a whole number or two (`new,after`, e.g. 20,40)"
                )),
            }
        }
        if let Some(raw) = value("GOVERNOR_WARM_UP_RAMP") {
            let parsed: Result<Vec<u32>, _> =
                raw.split(',').map(str::trim).filter(|p| !p.is_empty() && *p != "none").map(str::parse).collect();
            match parsed {
                Ok(ramp) => s.warm_up_ramp = ramp,
                Err(_) => problems.push(format!("GOVERNOR_WARM_UP_RAMP: `{raw}` is not a list of whole numbers")),
            }
        }
        let mut range = |name: &str| -> Option<(u64, u64)> {
            let raw = value(name).filter(|v| !v.is_empty())?;
            let parsed = raw
                .split_once('-')
                .and_then(|(a, b)| Some((a.trim().parse::<u64>().ok()?, b.trim().parse::<u64>().ok()?)))
                .filter(|(a, b)| a <= b);
            if parsed.is_none() {
                problems.push(format!("{name}: `{raw}` is not a range `low-high` of whole numbers"));
            }
            parsed
        };
        if let Some((low, high)) = range("GOVERNOR_BREAK_EVERY") {
            s.break_every = (low.max(1) as u32, high.max(1) as u32);
        }
        if let Some((low, high)) = range("GOVERNOR_BREAK_MS") {
            s.break_length = (Duration::from_millis(low), Duration::from_millis(high));
        }
        if let Some((low, high)) = range("TYPING_MS") {
            s.typing = (Duration::from_millis(low), Duration::from_millis(high));
        }
        let mut seconds = |name: &str, into: &mut Duration| {
            if let Some(raw) = value(name).filter(|v| !v.is_empty()) {
                match raw.parse::<u64>() {
                    Ok(n) if n > 0 => *into = Duration::from_secs(n),
                    _ => problems.push(format!("{name}: `{raw}` is not a positive whole number")),
                }
            }
        };
        seconds("GOVERNOR_HOUR_SECONDS", &mut s.hour);
        seconds("GOVERNOR_DAY_SECONDS", &mut s.day);
        if let Some(raw) = value("SEND_WINDOW_DEFAULT") {
            match raw.as_str() {
                "" | "none" => s.default_window = None,
                _ => match SendWindow::parse_range(&raw) {
                    Ok(window) => s.default_window = Some(window),
                    Err(err) => problems.push(format!("SEND_WINDOW_DEFAULT: {err} (e.g. 08:00-21:00, or none)")),
                },
            }
        }
        if problems.is_empty() {
            Ok(s)
        } else {
            Err(ConfigError(problems))
        }
    }

    /// The daily cap of a number on warm-up day `day` (0 = the first), and
    /// whether that is the ramp's (lower than the normal cap).
    pub fn daily_cap_on(&self, warm_up_day: Option<u32>) -> (u32, bool) {
        match warm_up_day.and_then(|day| self.warm_up_ramp.get(day as usize)) {
            Some(&ramp) if ramp < self.daily_cap => (ramp, true),
            _ => (self.daily_cap, false),
        }
    }

    /// The cold budget of a number first linked at `first_linked`.
    pub fn cold_cap_at(&self, now: chrono::DateTime<chrono::Utc>, first_linked: chrono::DateTime<chrono::Utc>) -> u32 {
        let age = (now - first_linked).to_std().unwrap_or_default();
        if age < self.day * self.cold_new_days {
            self.cold_daily_cap.0
        } else {
            self.cold_daily_cap.1
        }
    }

    /// How long a number may stay idle before it warms up again.
    pub fn warm_up_idle(&self) -> Duration {
        self.hour * self.warm_up_idle_hours
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn read(pairs: &[(&str, &str)]) -> Result<GovernorSettings, ConfigError> {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        GovernorSettings::from_source(|name| map.get(name).cloned())
    }

    #[test]
    fn defaults_are_the_documented_ones() {
        let s = read(&[]).unwrap();
        assert_eq!((s.hourly_cap, s.daily_cap, s.jitter_percent), (60, 300, 50));
        assert_eq!(s.warm_up_ramp, vec![20, 36, 65, 117, 210, 378]);
        assert_eq!(s.default_window.map(|w| (w.start(), w.end())), Some(("08:00".into(), "21:00".into())));
        assert_eq!(s.daily_cap_on(Some(0)), (20, true));
        assert_eq!(s.daily_cap_on(Some(5)), (300, false));
        assert_eq!(s.daily_cap_on(None), (300, false));
    }

    #[test]
    fn every_malformed_setting_is_named() {
        let err =
            read(&[("GOVERNOR_HOURLY_CAP", "many"), ("GOVERNOR_BREAK_MS", "5-1"), ("SEND_WINDOW_DEFAULT", "9-5")])
                .unwrap_err();
        let text = err.0.join("\n");
        for name in ["GOVERNOR_HOURLY_CAP", "GOVERNOR_BREAK_MS", "SEND_WINDOW_DEFAULT"] {
            assert!(text.contains(name), "{text}");
        }
    }

    #[test]
    fn the_cold_budget_is_twenty_while_new_then_forty() {
        let s = read(&[]).unwrap();
        let linked = chrono::Utc::now() - chrono::TimeDelta::days(13);
        assert_eq!(s.cold_cap_at(chrono::Utc::now(), linked), 20);
        assert_eq!(s.cold_cap_at(chrono::Utc::now() + chrono::TimeDelta::days(2), linked), 40);
        assert_eq!(read(&[("GOVERNOR_COLD_DAILY_CAP", "5")]).unwrap().cold_daily_cap, (5, 5));
        assert_eq!(read(&[("GOVERNOR_COLD_DAILY_CAP", "5, 9")]).unwrap().cold_daily_cap, (5, 9));
        assert!(read(&[("GOVERNOR_COLD_DAILY_CAP", "lots")]).is_err());
    }

    #[test]
    fn none_turns_the_default_window_and_the_ramp_off() {
        let s = read(&[("SEND_WINDOW_DEFAULT", "none"), ("GOVERNOR_WARM_UP_RAMP", "none")]).unwrap();
        assert!(s.default_window.is_none());
        assert_eq!(s.daily_cap_on(Some(0)), (300, false));
    }
}
