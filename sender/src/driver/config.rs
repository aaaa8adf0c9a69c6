//! The driver's settings, read once from the environment: where WhatsApp Web
//! is (the simulator locally), where Chromium and chromedriver are, and how
//! long each step may take. Every problem is reported by variable name.

use std::{path::PathBuf, time::Duration};

use shared::config::ConfigError;
use url::Url;

#[derive(Debug, Clone)]
pub struct DriverConfig {
    /// `WHATSAPP_URL`: https://web.whatsapp.com in production.
    pub whatsapp_url: Url,
    /// `CHROMIUM_PATH`: the browser binary (Debian's wrapper script is fine).
    pub chromium_path: PathBuf,
    /// `CHROMEDRIVER_PATH`.
    pub chromedriver_path: PathBuf,
    /// `CHROMIUM_USER_AGENT`: the user agent the browser announces. Unset, it
    /// is a desktop Chrome agent of the installed version (see
    /// [`super::browser::Chromium`]).
    pub user_agent: Option<String>,
    pub timeouts: Timeouts,
}

#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    /// `WHATSAPP_PAGE_TIMEOUT_MS` (60 s): loading WhatsApp Web or a chat.
    /// Real WhatsApp takes seconds to decrypt and load its chats.
    pub page: Duration,
    /// `WHATSAPP_SEND_TIMEOUT_MS` (30 s): from pressing send to the first tick.
    pub send: Duration,
    /// `WHATSAPP_MEDIA_TIMEOUT_MS` (120 s): the same for an attachment, which
    /// is uploaded first (up to 20 MB).
    pub media: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self { page: Duration::from_secs(60), send: Duration::from_secs(30), media: Duration::from_secs(120) }
    }
}

impl DriverConfig {
    pub const DEFAULT_WHATSAPP_URL: &'static str = "https://web.whatsapp.com";

    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_source(|name| std::env::var(name).ok())
    }

    pub fn from_source(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let value = |name: &str| lookup(name).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
        let mut problems = Vec::new();

        let raw_url = value("WHATSAPP_URL").unwrap_or_else(|| Self::DEFAULT_WHATSAPP_URL.to_owned());
        let whatsapp_url = match Url::parse(&raw_url) {
            Ok(url) if matches!(url.scheme(), "http" | "https") => url,
            _ => {
                problems.push(format!("WHATSAPP_URL: `{raw_url}` is not an http(s) URL"));
                Url::parse(Self::DEFAULT_WHATSAPP_URL).expect("the default URL parses")
            }
        };
        let mut millis = |name: &str, default: Duration| match value(name) {
            None => default,
            Some(raw) => match raw.parse::<u64>() {
                Ok(ms) if ms > 0 => Duration::from_millis(ms),
                _ => {
                    problems.push(format!("{name}: `{raw}` is not a positive number of milliseconds"));
                    default
                }
            },
        };
        let defaults = Timeouts::default();
        let timeouts = Timeouts {
            page: millis("WHATSAPP_PAGE_TIMEOUT_MS", defaults.page),
            send: millis("WHATSAPP_SEND_TIMEOUT_MS", defaults.send),
            media: millis("WHATSAPP_MEDIA_TIMEOUT_MS", defaults.media),
        };
        if !problems.is_empty() {
            return Err(ConfigError(problems));
        }
        Ok(Self {
            whatsapp_url,
            chromium_path: value("CHROMIUM_PATH").unwrap_or_else(|| "/usr/bin/chromium".into()).into(),
            chromedriver_path: value("CHROMEDRIVER_PATH").unwrap_or_else(|| "/usr/bin/chromedriver".into()).into(),
            user_agent: value("CHROMIUM_USER_AGENT"),
            timeouts,
        })
    }

    /// The configuration for a WhatsApp Web at `url` (the simulator in tests),
    /// with the default binaries and timeouts.
    pub fn for_url(url: Url) -> Self {
        let mut config = Self::from_source(|_| None).expect("the defaults are valid");
        config.whatsapp_url = url;
        config
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    #[test]
    fn defaults_point_at_whatsapp() {
        let config = DriverConfig::from_source(|_| None).unwrap();
        assert_eq!(config.whatsapp_url.as_str(), "https://web.whatsapp.com/");
        assert_eq!(config.chromium_path, PathBuf::from("/usr/bin/chromium"));
        assert_eq!(config.timeouts.send, Duration::from_secs(30));
    }

    #[test]
    fn every_problem_is_named() {
        let env = HashMap::from([("WHATSAPP_URL", "ftp://x"), ("WHATSAPP_SEND_TIMEOUT_MS", "soon")]);
        let err = DriverConfig::from_source(|name| env.get(name).map(|v| v.to_string())).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("WHATSAPP_URL") && text.contains("WHATSAPP_SEND_TIMEOUT_MS"), "{text}");
    }
}
