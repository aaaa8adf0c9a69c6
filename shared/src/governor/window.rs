//! Sending hours: `{"start":"08:00","end":"21:00"}` in the campaign's own
//! time zone. A window whose end is before its start runs over midnight.

use chrono::{DateTime, Duration, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SendWindow {
    start: NaiveTime,
    end: NaiveTime,
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum InvalidWindow {
    #[error("`{0}` is not a time of day as HH:MM (00:00–23:59)")]
    Time(String),
    #[error("start and end must differ")]
    Empty,
}

/// The JSON shape: `{"start":"HH:MM","end":"HH:MM"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SendWindowView {
    #[schema(example = "08:00")]
    pub start: String,
    #[schema(example = "21:00")]
    pub end: String,
}

fn parse_time(raw: &str) -> Result<NaiveTime, InvalidWindow> {
    let raw = raw.trim();
    let valid = raw.len() == 5 && raw.as_bytes()[2] == b':';
    valid.then(|| NaiveTime::parse_from_str(raw, "%H:%M").ok()).flatten().ok_or_else(|| InvalidWindow::Time(raw.into()))
}

impl SendWindow {
    pub fn parse(start: &str, end: &str) -> Result<Self, InvalidWindow> {
        let (start, end) = (parse_time(start)?, parse_time(end)?);
        if start == end {
            return Err(InvalidWindow::Empty);
        }
        Ok(Self { start, end })
    }

    /// `"08:00-21:00"`, as the environment gives the default.
    pub fn parse_range(raw: &str) -> Result<Self, InvalidWindow> {
        let (start, end) = raw.split_once('-').ok_or_else(|| InvalidWindow::Time(raw.into()))?;
        Self::parse(start, end)
    }

    pub fn start(&self) -> String {
        self.start.format("%H:%M").to_string()
    }

    pub fn end(&self) -> String {
        self.end.format("%H:%M").to_string()
    }

    pub fn view(&self) -> SendWindowView {
        SendWindowView { start: self.start(), end: self.end() }
    }

    fn contains(&self, time: NaiveTime) -> bool {
        if self.start < self.end {
            self.start <= time && time < self.end
        } else {
            time >= self.start || time < self.end
        }
    }

    /// `None` when `now` is inside the window; else the next moment it opens.
    pub fn next_opening(&self, now: DateTime<Utc>, tz: Tz) -> Option<DateTime<Utc>> {
        let local = now.with_timezone(&tz);
        if self.contains(local.time()) {
            return None;
        }
        let mut day = local.date_naive();
        // Today's opening if still ahead, else tomorrow's; a day whose
        // opening falls in a DST gap opens at the first valid minute after.
        loop {
            let naive = day.and_time(self.start);
            let opening = tz
                .from_local_datetime(&naive)
                .earliest()
                .or_else(|| tz.from_local_datetime(&(naive + Duration::hours(1))).earliest());
            if let Some(opening) = opening.map(|o| o.with_timezone(&Utc)).filter(|o| *o > now) {
                return Some(opening);
            }
            day = day.succ_opt()?;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(rfc3339: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(rfc3339).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn a_time_inside_the_window_may_send_now() {
        let window = SendWindow::parse("08:00", "21:00").unwrap();
        // 12:00 in Tehran (UTC+3:30).
        assert_eq!(window.next_opening(at("2026-06-01T08:30:00Z"), chrono_tz::Asia::Tehran), None);
    }

    #[test]
    fn after_the_end_the_window_opens_the_next_morning_in_the_campaigns_zone() {
        let window = SendWindow::parse("08:00", "21:00").unwrap();
        // 22:00 in Tehran → 08:00 Tehran the next day = 04:30 UTC.
        let opening = window.next_opening(at("2026-06-01T18:30:00Z"), chrono_tz::Asia::Tehran);
        assert_eq!(opening, Some(at("2026-06-02T04:30:00Z")));
    }

    #[test]
    fn before_the_start_the_window_opens_the_same_day() {
        let window = SendWindow::parse("08:00", "21:00").unwrap();
        let opening = window.next_opening(at("2026-06-01T01:00:00Z"), chrono_tz::UTC);
        assert_eq!(opening, Some(at("2026-06-01T08:00:00Z")));
    }

    #[test]
    fn a_window_over_midnight_contains_the_small_hours() {
        let window = SendWindow::parse("22:00", "02:00").unwrap();
        assert_eq!(window.next_opening(at("2026-06-01T01:00:00Z"), chrono_tz::UTC), None);
        assert_eq!(window.next_opening(at("2026-06-01T12:00:00Z"), chrono_tz::UTC), Some(at("2026-06-01T22:00:00Z")));
    }

    #[test]
    fn malformed_times_are_rejected() {
        assert!(SendWindow::parse("8:00", "21:00").is_err());
        assert!(SendWindow::parse("08:00", "24:00").is_err());
        assert!(SendWindow::parse("08:00", "08:00").is_err());
        assert!(SendWindow::parse("ab:cd", "21:00").is_err());
        assert!(SendWindow::parse_range("08:00-21:00").is_ok());
    }
}
