//! The circuit breaker: signs that sending on must stop before WhatsApp
//! stops it for good. It reads a number's latest outcomes (newest first,
//! since it last tripped) and names the trip, if any.

/// A settled send, as the breaker sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Sent,
    /// Failed, or handed over but never confirmed.
    Failed,
    NotOnWhatsApp,
}

/// Failed or unconfirmed sends in a row that trip the breaker.
pub const FAILURES_IN_A_ROW: usize = 5;
/// The last this many numbers tried…
pub const RECENT: usize = 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trip {
    FailuresInARow,
    MostlyNotOnWhatsApp,
}

impl Trip {
    /// The campaign's `failureReason`.
    pub fn reason(self) -> String {
        match self {
            Trip::FailuresInARow => format!(
                "Paused for safety: {FAILURES_IN_A_ROW} messages in a row failed or were not confirmed by WhatsApp. \
                 Check the phone and WhatsApp Web, then resume"
            ),
            Trip::MostlyNotOnWhatsApp => format!(
                "Paused for safety: more than half of the last {RECENT} numbers are not on WhatsApp. A list like \
                 this looks like spam to WhatsApp and puts your number at risk; clean the list, then resume"
            ),
        }
    }
}

/// `latest`: the number's outcomes, newest first.
pub fn check(latest: &[Outcome]) -> Option<Trip> {
    let attempts: Vec<&Outcome> =
        latest.iter().filter(|o| **o != Outcome::NotOnWhatsApp).take(FAILURES_IN_A_ROW).collect();
    if attempts.len() == FAILURES_IN_A_ROW && attempts.iter().all(|o| **o == Outcome::Failed) {
        return Some(Trip::FailuresInARow);
    }
    let not_on_whatsapp = latest.iter().take(RECENT).filter(|o| **o == Outcome::NotOnWhatsApp).count();
    (not_on_whatsapp * 2 > RECENT).then_some(Trip::MostlyNotOnWhatsApp)
}

#[cfg(test)]
mod tests {
    use super::{Outcome::*, *};

    #[test]
    fn five_failures_in_a_row_trip_it() {
        assert_eq!(check(&[Failed, Failed, Failed, Failed, Failed, Sent]), Some(Trip::FailuresInARow));
    }

    #[test]
    fn a_success_in_between_keeps_it_closed() {
        assert_eq!(check(&[Failed, Failed, Sent, Failed, Failed, Failed]), None);
    }

    #[test]
    fn numbers_not_on_whatsapp_neither_break_nor_make_a_run_of_failures() {
        assert_eq!(check(&[Failed, NotOnWhatsApp, Failed, Failed, Failed, Failed]), Some(Trip::FailuresInARow));
    }

    #[test]
    fn more_than_half_of_the_last_twenty_not_on_whatsapp_trips_it() {
        let mut latest = vec![NotOnWhatsApp; 11];
        latest.extend([Sent; 9]);
        assert_eq!(check(&latest), Some(Trip::MostlyNotOnWhatsApp));
        let mut half = vec![NotOnWhatsApp; 10];
        half.extend([Sent; 10]);
        assert_eq!(check(&half), None);
    }
}
