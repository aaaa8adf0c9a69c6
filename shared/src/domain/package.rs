//! What a package is made of once its input has been checked: the
//! admin-facing rules for titles, prices, durations and message limits.

use super::{commerce::PackageStatus, money::Price, text};

pub const TITLE_MAX: usize = 200;
pub const DESCRIPTION_MAX: usize = 5000;
pub const CATEGORY_MAX: usize = 100;
/// Ten years: longer is a typo, not a product.
pub const DURATION_MAX_DAYS: i64 = 3650;
pub const MESSAGE_LIMIT_MAX: i64 = 100_000_000;

/// Every field of a package, valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageFields {
    pub title: String,
    pub description: Option<String>,
    pub price: Price,
    pub duration_days: i32,
    pub category: Option<String>,
    pub message_limit: i32,
    pub status: PackageStatus,
}

#[derive(Debug, thiserror::Error)]
#[error("must be a whole number between 1 and {0}")]
pub struct OutOfRange(i64);

pub fn title(raw: &str) -> Result<String, text::InvalidText> {
    text::line(raw, TITLE_MAX)
}

pub fn description(raw: &str) -> Result<Option<String>, text::InvalidText> {
    text::optional_block(raw, DESCRIPTION_MAX)
}

pub fn category(raw: &str) -> Result<Option<String>, text::InvalidText> {
    text::optional_line(raw, CATEGORY_MAX)
}

pub fn duration_days(raw: i64) -> Result<i32, OutOfRange> {
    within(raw, DURATION_MAX_DAYS)
}

pub fn message_limit(raw: i64) -> Result<i32, OutOfRange> {
    within(raw, MESSAGE_LIMIT_MAX)
}

fn within(raw: i64, max: i64) -> Result<i32, OutOfRange> {
    if (1..=max).contains(&raw) {
        Ok(raw as i32)
    } else {
        Err(OutOfRange(max))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_bounded() {
        assert_eq!(duration_days(30).unwrap(), 30);
        assert!(duration_days(0).is_err());
        assert!(duration_days(DURATION_MAX_DAYS + 1).is_err());
        assert_eq!(message_limit(1000).unwrap(), 1000);
        assert!(message_limit(-1).is_err());
    }
}
