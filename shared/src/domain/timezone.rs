//! An IANA time zone name (`Asia/Tehran`), checked against the tz database
//! that `chrono-tz` compiles in, so dates can be shown in the campaign's zone.

use std::{fmt, str::FromStr};

use chrono_tz::Tz;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timezone(Tz);

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("is not a known IANA time zone (e.g. Asia/Tehran)")]
pub struct InvalidTimezone;

impl Timezone {
    pub const DEFAULT: Timezone = Timezone(Tz::Asia__Tehran);

    pub fn parse(raw: &str) -> Result<Self, InvalidTimezone> {
        Tz::from_str(raw.trim()).map(Self).map_err(|_| InvalidTimezone)
    }

    /// A stored name; the default zone if the database holds something
    /// this build does not know (it was validated when written).
    pub fn from_stored(name: &str) -> Self {
        Self::parse(name).unwrap_or(Self::DEFAULT)
    }

    pub fn tz(self) -> Tz {
        self.0
    }

    pub fn name(self) -> &'static str {
        self.0.name()
    }
}

impl fmt::Display for Timezone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knows_iana_names_only() {
        assert_eq!(Timezone::parse("Asia/Tehran").unwrap(), Timezone::DEFAULT);
        assert_eq!(Timezone::parse("Europe/Berlin").unwrap().name(), "Europe/Berlin");
        assert_eq!(Timezone::parse("Mars/Olympus"), Err(InvalidTimezone));
        assert_eq!(Timezone::parse(""), Err(InvalidTimezone));
    }
}
