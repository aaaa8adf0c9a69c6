//! A phone number in its one canonical form: E.164 digits without the plus
//! (`989123456789`).
//!
//! Accepts what Iranian users and spreadsheets produce: local `0912…`,
//! `+98…`, `0098…`, `98…`, Persian and Arabic-Indic digits, spaces, dashes
//! and brackets, and numeric Excel cells that lost the leading zero
//! (`9123456789`). Numbers of other countries work in international form.
//! Validity is decided by libphonenumber's metadata (the `phonenumber` crate),
//! not by hand-written ranges.

use std::fmt;

use phonenumber::country;

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Phone(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidPhone {
    #[error("is empty")]
    Empty,
    #[error("contains characters that are not digits")]
    NotDigits,
    #[error("is not a valid phone number")]
    Invalid,
}

impl Phone {
    pub fn parse(raw: &str) -> Result<Self, InvalidPhone> {
        let (plus, digits) = ascii_digits(raw)?;
        let candidates: Vec<(Option<country::Id>, String)> = if plus {
            vec![(None, format!("+{digits}"))]
        } else if let Some(rest) = digits.strip_prefix("00") {
            vec![(None, format!("+{rest}"))]
        } else if digits.len() == 10 && digits.starts_with('9') {
            // A numeric Excel cell: 09123456789 stored as the number 9123456789.
            vec![(Some(country::Id::IR), format!("0{digits}"))]
        } else if digits.len() == 12 && digits.starts_with("98") {
            vec![(None, format!("+{digits}"))]
        } else {
            vec![(Some(country::Id::IR), digits.clone()), (None, format!("+{digits}"))]
        };
        candidates
            .into_iter()
            .filter_map(|(region, text)| phonenumber::parse(region, text).ok())
            .find(phonenumber::is_valid)
            .map(|number| Self(format!("{}{}", number.code().value(), number.national())))
            .ok_or(InvalidPhone::Invalid)
    }

    /// Canonical E.164 digits, e.g. `989123456789`.
    /// A number this service stored (`as_str`): it always carries its
    /// country code, so it is read as international — `2631300000` is
    /// +263…, where typed by a user it would be an Iranian landline.
    pub fn from_stored(canonical: &str) -> Result<Self, InvalidPhone> {
        Self::parse(&format!("+{canonical}"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Digits as ASCII, separators dropped; whether the number began with `+`.
pub(crate) fn ascii_digits(raw: &str) -> Result<(bool, String), InvalidPhone> {
    let trimmed = raw.trim();
    let plus = trimmed.starts_with('+');
    let mut digits = String::with_capacity(trimmed.len());
    for c in trimmed.chars().skip(usize::from(plus)) {
        match c {
            '0'..='9' => digits.push(c),
            // Persian (U+06F0…) and Arabic-Indic (U+0660…) digits.
            '\u{06F0}'..='\u{06F9}' => digits.push(char::from(b'0' + (c as u32 - 0x06F0) as u8)),
            '\u{0660}'..='\u{0669}' => digits.push(char::from(b'0' + (c as u32 - 0x0660) as u8)),
            ' ' | '-' | '(' | ')' | '.' | '\u{00A0}' | '\u{200C}' => {}
            _ => return Err(InvalidPhone::NotDigits),
        }
    }
    if digits.is_empty() {
        return Err(InvalidPhone::Empty);
    }
    Ok((plus, digits))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_iranian_spelling_is_one_number() {
        for raw in [
            "09123456789",
            "+989123456789",
            "00989123456789",
            "989123456789",
            "9123456789",
            "۰۹۱۲۳۴۵۶۷۸۹",
            "٠٩١٢٣٤٥٦٧٨٩",
            "0912 345 6789",
            "0912-345-6789",
            "+98 (912) 345-6789",
        ] {
            assert_eq!(Phone::parse(raw).map(|p| p.0), Ok("989123456789".into()), "{raw}");
        }
    }

    #[test]
    fn other_countries_in_international_form() {
        assert_eq!(Phone::parse("+44 7911 123456").unwrap().as_str(), "447911123456");
        assert_eq!(Phone::parse("0049 1512 3456789").unwrap().as_str(), "4915123456789");
        // Found by the property tests: ten digits without a plus read as an
        // Iranian landline, so a stored number is read back as international.
        let zimbabwe = Phone::parse("+2631300000").unwrap();
        assert_eq!(Phone::from_stored(zimbabwe.as_str()), Ok(zimbabwe));
    }

    #[test]
    fn rejects_garbage() {
        assert_eq!(Phone::parse(""), Err(InvalidPhone::Empty));
        assert_eq!(Phone::parse("abc"), Err(InvalidPhone::NotDigits));
        assert_eq!(Phone::parse("12"), Err(InvalidPhone::Invalid));
        assert_eq!(Phone::parse("0912345"), Err(InvalidPhone::Invalid));
    }
}

impl Phone {
    /// The number as logs may show it: country code and last two digits
    /// (`98*******89`), enough to tell numbers apart, not to dial one.
    pub fn masked(&self) -> String {
        let digits = self.as_str();
        let keep_head = digits.len().min(2);
        let keep_tail = 2.min(digits.len() - keep_head);
        let hidden = digits.len() - keep_head - keep_tail;
        format!("{}{}{}", &digits[..keep_head], "*".repeat(hidden), &digits[digits.len() - keep_tail..])
    }
}

#[cfg(test)]
mod masked_tests {
    use super::Phone;

    #[test]
    fn shows_only_the_country_code_and_the_last_two_digits() {
        let phone = Phone::parse("09123456789").unwrap();
        assert_eq!(phone.masked(), "98********89");
        assert!(!phone.masked().contains("1234567"));
    }
}
