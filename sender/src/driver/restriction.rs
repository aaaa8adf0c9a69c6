//! What WhatsApp Web shows when WhatsApp limits the number. Since 2026 that
//! is mostly the reach-out timelock: chats with people who never wrote show
//! a bar instead of the compose box ("Your account on linked devices is
//! restricted…"), existing chats keep working, and it lifts by itself at a
//! stated time. The older notice is a dialog: the account may not send at
//! all. The driver only reads them (`page.js`, `restriction`); what to do
//! is the send governor's business.

use std::time::Duration;

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use serde::Deserialize;
use serde_json::json;

use super::{DriverError, WhatsAppSession};

/// What the page shows, as the library reads it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Restriction {
    /// `timelock` (new chats only) or `account` (no sending at all).
    pub kind: String,
    /// The notice's text, lower case (the end time is read from it).
    pub text: String,
}

/// How WhatsApp limits the number, as far as the page says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// The reach-out timelock: no new chats until `until` (when the page
    /// states it); chats with people who wrote first still work.
    NewChats { until: Option<DateTime<Utc>> },
    /// The whole account is restricted, for `length` when the notice says.
    Account { length: Option<Duration> },
}

impl Restriction {
    /// What it means, read at `now`.
    pub fn limit(&self, now: DateTime<Utc>) -> Limit {
        match self.kind.as_str() {
            "timelock" => Limit::NewChats { until: stated_end(&self.text, now) },
            _ => Limit::Account { length: stated_length(&self.text) },
        }
    }
}

impl WhatsAppSession {
    /// What WhatsApp Web shows of a restriction now, if anything.
    pub async fn restriction(&self) -> Result<Option<Limit>, DriverError> {
        let found: Option<Restriction> = self.call("restriction", json!([])).await?;
        Ok(found.map(|r| r.limit(Utc::now())))
    }

    /// When the timelock ends, from its "Show details" dialog (opened and
    /// closed again): the page shows the end nowhere else. `None` when the
    /// bar or the dialog has no countdown — or the bar went away meanwhile,
    /// which the caller tells apart by looking again.
    pub async fn timelock_end(&self) -> Result<Option<DateTime<Utc>>, DriverError> {
        if !self.call::<bool>("openTimelockDetails", json!([])).await? {
            return Ok(None);
        }
        for _ in 0..DETAILS_POLLS {
            let left: Option<i64> = self.call("readTimelockDetails", json!([])).await?;
            match left {
                // Whole seconds, counted down: the end is up to a second
                // later than `left` says, and never sooner.
                Some(left) if left >= 0 => return Ok(Some(Utc::now() + chrono::TimeDelta::seconds(left + 1))),
                Some(_) => return Ok(None),
                None => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
        Ok(None)
    }
}

/// How many times (100 ms apart) the details dialog is looked for.
const DETAILS_POLLS: usize = 30;

/// "… restricted for 24 hours …" → 24 h.
fn stated_length(text: &str) -> Option<Duration> {
    let words: Vec<&str> = text.split_whitespace().collect();
    words.windows(2).find_map(|pair| {
        let count: u64 = pair[0].parse().ok()?;
        match pair[1].trim_end_matches(['.', ',']) {
            "hour" | "hours" => Some(Duration::from_secs(count * 3600)),
            "day" | "days" => Some(Duration::from_secs(count * 86_400)),
            _ => None,
        }
    })
}

/// The end of a timelock when the text states it: "… until 2026-09-14
/// 18:30 …" (UTC), or a length ("for 12 hours") counted from `now`.
fn stated_end(text: &str, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let dated = words.windows(2).find_map(|pair| {
        let joined = format!("{} {}", pair[0], pair[1].trim_end_matches(['.', ',']));
        NaiveDateTime::parse_from_str(&joined, "%Y-%m-%d %H:%M").ok().map(|t| Utc.from_utc_datetime(&t))
    });
    dated.or_else(|| stated_length(text).and_then(|d| chrono::TimeDelta::from_std(d).ok()).map(|d| now + d))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_notice_says_how_long() {
        let text = "your account has been restricted for 12 hours because of possible spam.";
        assert_eq!(stated_length(text), Some(Duration::from_secs(12 * 3600)));
        assert_eq!(stated_length("your account is restricted right now"), None);
    }

    #[test]
    fn a_timelock_is_a_limit_on_new_chats_with_its_end_when_stated() {
        let now = Utc.with_ymd_and_hms(2026, 9, 14, 10, 0, 0).unwrap();
        let bar = |text: &str| Restriction { kind: "timelock".into(), text: text.into() };
        let plain = bar("your account on linked devices is restricted. you can't start new chats right now.");
        assert_eq!(plain.limit(now), Limit::NewChats { until: None });
        let dated = bar("your account on linked devices is restricted until 2026-09-14 18:30.");
        assert_eq!(
            dated.limit(now),
            Limit::NewChats { until: Some(Utc.with_ymd_and_hms(2026, 9, 14, 18, 30, 0).unwrap()) }
        );
        let notice = Restriction { kind: "account".into(), text: "restricted for 2 days".into() };
        assert_eq!(notice.limit(now), Limit::Account { length: Some(Duration::from_secs(2 * 86_400)) });
    }
}
