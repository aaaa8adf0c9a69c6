//! A person's display name: trimmed, 1–100 characters, no control characters.
//! Persian names are first-class.

use std::fmt;

use super::text::{self, InvalidText};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonName(String);

/// The longest name, in characters.
pub const MAX_CHARS: usize = 100;

impl PersonName {
    pub fn parse(raw: &str) -> Result<Self, InvalidText> {
        text::line(raw, MAX_CHARS).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PersonName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules() {
        assert_eq!(PersonName::parse("  علی رضایی ").unwrap().as_str(), "علی رضایی");
        assert!(PersonName::parse("   ").is_err());
        assert!(PersonName::parse(&"x".repeat(101)).is_err());
        assert!(PersonName::parse("a\u{0}b").is_err());
    }
}
