//! An e-mail address, trimmed and lower-cased so uniqueness is by mailbox.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

#[derive(Debug, thiserror::Error)]
#[error("is not a valid e-mail address")]
pub struct InvalidEmail;

impl Email {
    pub fn parse(raw: &str) -> Result<Self, InvalidEmail> {
        let candidate = raw.trim().to_lowercase();
        if candidate.len() > 254 || !email_address::EmailAddress::is_valid(&candidate) {
            return Err(InvalidEmail);
        }
        // Require a dotted domain: `user@localhost` is valid RFC but never a customer.
        match candidate.rsplit_once('@') {
            Some((_, domain)) if domain.contains('.') && !domain.ends_with('.') => Ok(Self(candidate)),
            _ => Err(InvalidEmail),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_and_rejects() {
        assert_eq!(Email::parse("  Ali@Example.COM ").unwrap().as_str(), "ali@example.com");
        for bad in ["", "ali", "ali@", "@example.com", "ali@localhost", "a b@example.com"] {
            assert!(Email::parse(bad).is_err(), "{bad} accepted");
        }
    }
}
