//! The per-recipient send rules, beside the per-number ones: who is never
//! messaged (opted out, a number an earlier campaign found not on WhatsApp
//! within the last 30 days, a stored phone that is not a number), and
//! whether a message is cold (the recipient never wrote to the number) or
//! warm. Pure: the facts come with the recipient (`deliveries::next_recipient`).

use chrono::{DateTime, TimeDelta, Utc};

use super::cold::ContactKind;
use crate::{domain::Phone, repo::deliveries::NextRecipient};

/// How long a number found not on WhatsApp is remembered per owner.
pub const UNREACHABLE_FOR: TimeDelta = TimeDelta::days(30);

/// Why a recipient who opted out is not messaged (the list import says the same).
pub const OPTED_OUT: &str = crate::excel::import::OPTED_OUT;

/// What the rules say of the next recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Message them: a cold or a warm contact, to this phone.
    Send(ContactKind, Phone),
    /// Never messaged: FAILED with the reason. `tried`: the number was
    /// looked at (its row says when), rather than left out by the owner.
    Skip { reason: String, tried: bool },
}

/// Findings of "not on WhatsApp" older than this are forgotten at `now`.
pub fn unreachable_after(now: DateTime<Utc>) -> DateTime<Utc> {
    now - UNREACHABLE_FOR
}

pub fn verdict(recipient: &NextRecipient) -> Verdict {
    if recipient.opted_out() {
        return Verdict::Skip { reason: OPTED_OUT.to_owned(), tried: false };
    }
    let phone = match Phone::from_stored(&recipient.phone) {
        Ok(phone) => phone,
        Err(err) => return Verdict::Skip { reason: format!("invalid phone number: {err}"), tried: true },
    };
    if let Some(seen) = recipient.unreachable_since {
        let reason = format!("not on WhatsApp (found so on {})", seen.format("%Y-%m-%d"));
        return Verdict::Skip { reason, tried: true };
    }
    Verdict::Send(recipient.contact(), phone)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn next(phone: &str) -> NextRecipient {
        NextRecipient {
            id: 7,
            phone: phone.to_owned(),
            name: None,
            variables: None,
            warm: 0,
            opted_out: 0,
            unreachable_since: None,
            opt_out_footer: false,
            attachment_name: None,
            attachment_mimetype: None,
            attachment_path: None,
        }
    }

    #[test]
    fn a_stranger_is_cold_and_who_wrote_is_warm() {
        assert!(matches!(verdict(&next("989121234567")), Verdict::Send(ContactKind::Cold, _)));
        let wrote = NextRecipient { warm: 1, ..next("989121234567") };
        assert!(matches!(verdict(&wrote), Verdict::Send(ContactKind::Warm, _)));
    }

    #[test]
    fn who_opted_out_is_never_messaged_even_if_they_wrote() {
        let out = NextRecipient { opted_out: 1, warm: 1, ..next("989121234567") };
        assert_eq!(verdict(&out), Verdict::Skip { reason: "opted out".into(), tried: false });
    }

    #[test]
    fn a_number_found_not_on_whatsapp_is_left_out_with_the_day_it_was_found() {
        let seen = "2026-11-20T10:00:00Z".parse().unwrap();
        let gone = NextRecipient { unreachable_since: Some(seen), ..next("989121234567") };
        let Verdict::Skip { reason, tried } = verdict(&gone) else { panic!("left out") };
        assert_eq!((reason.as_str(), tried), ("not on WhatsApp (found so on 2026-11-20)", true));
        assert_eq!(unreachable_after(seen + UNREACHABLE_FOR), seen);
    }

    #[test]
    fn a_stored_phone_that_is_not_a_number_is_left_out() {
        assert!(matches!(verdict(&next("12")), Verdict::Skip { tried: true, .. }));
    }
}
