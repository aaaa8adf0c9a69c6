//! A price in the configured currency unit (Rial or Toman, see
//! `PAYMENT_CURRENCY`): a whole, positive number. Payment gateways take
//! integers, so fractions are refused at the edge rather than rounded.

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Price(i64);

/// Far above any real package, far below i64 and JSON's exact integers.
pub const MAX: i64 = 1_000_000_000_000;

#[derive(Debug, thiserror::Error)]
#[error("must be a whole number between 1 and {MAX}")]
pub struct InvalidPrice;

impl Price {
    pub fn parse(raw: i64) -> Result<Self, InvalidPrice> {
        if (1..=MAX).contains(&raw) {
            Ok(Self(raw))
        } else {
            Err(InvalidPrice)
        }
    }

    pub fn value(self) -> i64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positive_and_bounded() {
        assert_eq!(Price::parse(150_000).unwrap().value(), 150_000);
        assert!(Price::parse(0).is_err());
        assert!(Price::parse(-5).is_err());
        assert!(Price::parse(MAX + 1).is_err());
    }
}
