//! How much of the fleet linking may take (issue 25), read by the API (the
//! limits) and by the sender (the timeout): a link attempt holds a whole
//! browser, so attempts are few per user, rate-limited, and expire.

use std::time::Duration;

use crate::config::ConfigError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkingSettings {
    /// `LINKING_TIMEOUT_SECONDS` (180): an attempt nobody scanned (or typed
    /// the code of) this long after it was asked for, or after its browser
    /// showed the QR, expires and frees the browser.
    pub timeout: Duration,
    /// `LINKING_MAX_PER_USER` (2): numbers one user may have LINKING at once.
    pub max_per_user: u32,
    /// `LINKING_RATE_PER_HOUR` (10): link attempts (QR or pairing code) one
    /// user may start per hour.
    pub per_user_per_hour: u32,
    /// `PAIRING_RATE_PER_HOUR` (5): pairing codes one user may ask for per hour.
    pub pairing_per_user_per_hour: u32,
    /// `PAIRING_RATE_PER_NUMBER_PER_HOUR` (3): pairing codes any user may ask
    /// for one phone number per hour.
    pub pairing_per_number_per_hour: u32,
}

impl Default for LinkingSettings {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(180),
            max_per_user: 2,
            per_user_per_hour: 10,
            pairing_per_user_per_hour: 5,
            pairing_per_number_per_hour: 3,
        }
    }
}

impl LinkingSettings {
    pub fn from_source(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let mut problems = Vec::new();
        let mut settings = Self::default();
        let mut number = |name: &str, into: &mut u32| {
            if let Some(raw) = lookup(name).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty()) {
                match raw.parse::<u32>() {
                    Ok(n) if n > 0 => *into = n,
                    _ => problems.push(format!("{name}: `{raw}` is not a whole number above 0")),
                }
            }
        };
        let mut timeout = settings.timeout.as_secs() as u32;
        number("LINKING_TIMEOUT_SECONDS", &mut timeout);
        number("LINKING_MAX_PER_USER", &mut settings.max_per_user);
        number("LINKING_RATE_PER_HOUR", &mut settings.per_user_per_hour);
        number("PAIRING_RATE_PER_HOUR", &mut settings.pairing_per_user_per_hour);
        number("PAIRING_RATE_PER_NUMBER_PER_HOUR", &mut settings.pairing_per_number_per_hour);
        settings.timeout = Duration::from_secs(timeout.into());
        if problems.is_empty() {
            Ok(settings)
        } else {
            Err(ConfigError(problems))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_limits_and_refuses_zero_or_words() {
        let read = |pairs: &[(&str, &str)]| {
            let pairs: Vec<(String, String)> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
            LinkingSettings::from_source(move |name| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()))
        };
        assert_eq!(read(&[]).unwrap(), LinkingSettings::default());
        let set = read(&[("LINKING_TIMEOUT_SECONDS", "5"), ("LINKING_MAX_PER_USER", "1")]).unwrap();
        assert_eq!((set.timeout, set.max_per_user), (Duration::from_secs(5), 1));
        let refused = read(&[("LINKING_TIMEOUT_SECONDS", "0"), ("PAIRING_RATE_PER_HOUR", "many")]).unwrap_err();
        assert_eq!(refused.0.len(), 2, "{refused:?}");
    }
}
