//! A password as chosen at sign-up: long enough, not absurdly long (argon2
//! would happily hash megabytes per request).

#[derive(Clone)]
pub struct Password(String);

#[derive(Debug, thiserror::Error)]
pub enum InvalidPassword {
    #[error("must be at least 8 characters")]
    TooShort,
    #[error("must be at most 128 characters")]
    TooLong,
    #[error("must contain a letter and a digit")]
    TooSimple,
}

impl Password {
    pub fn parse(raw: &str) -> Result<Self, InvalidPassword> {
        let chars = raw.chars().count();
        if chars < 8 {
            return Err(InvalidPassword::TooShort);
        }
        if chars > 128 {
            return Err(InvalidPassword::TooLong);
        }
        if !raw.chars().any(char::is_alphabetic) || !raw.chars().any(|c| c.is_numeric()) {
            return Err(InvalidPassword::TooSimple);
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password([redacted])")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules() {
        assert!(Password::parse("abc12345").is_ok());
        assert!(Password::parse("رمزعبور۱۲۳۴").is_ok());
        assert!(matches!(Password::parse("a1"), Err(InvalidPassword::TooShort)));
        assert!(matches!(Password::parse("abcdefghij"), Err(InvalidPassword::TooSimple)));
        assert!(matches!(Password::parse(&"a1".repeat(65)), Err(InvalidPassword::TooLong)));
    }
}
