//! WhatsApp's own count of the number's messages to people who have not
//! replied: since 2025–26 WhatsApp caps them per cycle (about a month) and
//! WhatsApp Web keeps the server's latest word on it — the quota, how much
//! of it is used, when the cycle ends, and a status that goes NONE →
//! FIRST_WARNING → SECOND_WARNING → CAPPED (module
//! `WAWebIndividualNewChatMessageCappingLimitUtils`; evidence in
//! `sender/tests/captures/README.md`, (4)). The driver only reads it
//! (`page.js`, `newChatQuota`); when to stop sending is the governor's
//! business. Pages without the module (builds before 2026, or an account
//! the server never reported a cap for) have no reading.

use chrono::DateTime;
use serde::Deserialize;
use serde_json::json;

use super::{DriverError, WhatsAppSession};

/// The new-chat message cap as the page holds it: the governor's own type,
/// so what the page says is what the rules weigh.
pub use shared::governor::cold::{QuotaStatus, WhatsappQuota as NewChatQuota};

/// What `newChatQuota` answers, before it is trusted.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Raw {
    status: String,
    used: f64,
    total: f64,
    /// Milliseconds since the epoch.
    cycle_ends_at: Option<f64>,
}

impl WhatsAppSession {
    /// The new-chat message cap as WhatsApp Web knows it now; `None` when
    /// the page does not say (no such module, no record, or a status or
    /// number this driver does not understand).
    pub async fn new_chat_quota(&self) -> Result<Option<NewChatQuota>, DriverError> {
        let raw: Option<Raw> = self.call("newChatQuota", json!([])).await?;
        Ok(raw.and_then(Raw::parse))
    }
}

impl Raw {
    fn parse(self) -> Option<NewChatQuota> {
        let Ok(status) = self.status.parse::<QuotaStatus>() else {
            tracing::debug!(status = %self.status, "new-chat quota with an unknown status: read as unknown");
            return None;
        };
        let (Some(used), Some(total)) = (count(self.used), count(self.total)) else {
            tracing::debug!(used = self.used, total = self.total, "new-chat quota with odd numbers: read as unknown");
            return None;
        };
        let cycle_ends_at = self.cycle_ends_at.and_then(|ms| DateTime::from_timestamp_millis(ms as i64));
        Some(NewChatQuota { status, used, total, cycle_ends_at })
    }
}

/// A whole, non-negative count that fits.
fn count(value: f64) -> Option<u32> {
    (value.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&value)).then_some(value as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(status: &str, used: f64, total: f64, cycle_ends_at: Option<f64>) -> Raw {
        Raw { status: status.into(), used, total, cycle_ends_at }
    }

    #[test]
    fn a_reading_keeps_whatsapps_status_counts_and_cycle_end() {
        let ends = DateTime::parse_from_rfc3339("2026-10-01T00:00:00Z").unwrap().to_utc();
        let read = raw("SECOND_WARNING", 18.0, 20.0, Some(ends.timestamp_millis() as f64)).parse();
        assert_eq!(
            read,
            Some(NewChatQuota { status: QuotaStatus::SecondWarning, used: 18, total: 20, cycle_ends_at: Some(ends) })
        );
        let no_end = raw("NONE", 0.0, 20.0, None).parse().unwrap();
        assert_eq!((no_end.status, no_end.cycle_ends_at), (QuotaStatus::None, None));
    }

    #[test]
    fn an_unknown_status_makes_the_whole_reading_unknown() {
        assert_eq!(raw("THIRD_WARNING", 1.0, 20.0, None).parse(), None);
        assert_eq!(raw("capped", 20.0, 20.0, None).parse(), None, "spelled as WhatsApp spells it");
    }

    #[test]
    fn counts_that_are_not_whole_and_non_negative_make_the_reading_unknown() {
        assert_eq!(raw("NONE", -1.0, 20.0, None).parse(), None);
        assert_eq!(raw("NONE", 1.5, 20.0, None).parse(), None);
        assert_eq!(raw("NONE", 1.0, f64::INFINITY, None).parse(), None);
    }
}
