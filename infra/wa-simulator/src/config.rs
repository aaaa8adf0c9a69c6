//! The simulator's settings: how often the QR changes, how long a message
//! waits before it counts as delivered, which generation of WhatsApp Web's
//! markup the page draws, how long a full page load takes, and the UI
//! language. Tests shorten the timings; the defaults are what WhatsApp Web
//! does (a new QR about every 20 seconds, the second tick a moment after the
//! first, a few seconds of loading screen on every full page load).

use std::{fmt, str::FromStr, time::Duration};

/// Which generation of WhatsApp Web's DOM the page draws (see
/// `../shared/WHATSAPP-WEB.md` for the evidence behind each).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Markup {
    /// 2025–2026 builds: WDS icons as `<svg><title>wds-ic-…</title></svg>`,
    /// padded status `aria-label`s, `data-testid`s, `last-wid-md`.
    #[default]
    Current,
    /// Older builds: `data-icon` spans for icons and ticks, `last-wid`.
    Legacy,
}

impl Markup {
    pub fn as_str(self) -> &'static str {
        match self {
            Markup::Current => "current",
            Markup::Legacy => "legacy",
        }
    }
}

impl fmt::Display for Markup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Markup {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        match value.trim() {
            "current" => Ok(Markup::Current),
            "legacy" => Ok(Markup::Legacy),
            other => Err(format!("`{other}` is neither `current` nor `legacy`")),
        }
    }
}

#[derive(Debug, Clone)]
pub struct SimulatorConfig {
    /// How long one QR ref stays valid before the login page shows the next.
    pub qr_refresh: Duration,
    /// How long after the server accepted a message its double tick appears.
    pub delivery_delay: Duration,
    /// The markup generation the page draws.
    pub markup: Markup,
    /// How long the loading screen shows on every full page load before the
    /// app is usable. The real site takes seconds (it decrypts and loads the
    /// chats), which is what a reload per message costs.
    pub boot_delay: Duration,
    /// `document.documentElement.lang`: WhatsApp Web follows the browser's
    /// (or the account's) language; the driver only understands English.
    pub lang: String,
    /// How long a pairing code stays valid before the page shows the next.
    pub pairing_code_refresh: Duration,
}

impl Default for SimulatorConfig {
    fn default() -> Self {
        Self {
            qr_refresh: Duration::from_secs(20),
            delivery_delay: Duration::from_secs(2),
            markup: Markup::Current,
            boot_delay: Duration::from_secs(3),
            lang: "en".into(),
            pairing_code_refresh: Duration::from_secs(180),
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("{name}: {problem}, got {value:?}")]
pub struct ConfigError {
    name: &'static str,
    problem: String,
    value: String,
}

impl SimulatorConfig {
    /// `WA_SIM_QR_REFRESH_MS`, `WA_SIM_DELIVERY_DELAY_MS`, `WA_SIM_MARKUP`,
    /// `WA_SIM_BOOT_DELAY_MS`, `WA_SIM_LANG` and `WA_SIM_PAIRING_CODE_REFRESH_MS`,
    /// each optional.
    pub fn from_env() -> Result<Self, ConfigError> {
        let defaults = Self::default();
        let markup = match std::env::var("WA_SIM_MARKUP") {
            Err(_) => defaults.markup,
            Ok(value) => value.parse().map_err(|problem| ConfigError { name: "WA_SIM_MARKUP", problem, value })?,
        };
        let lang = std::env::var("WA_SIM_LANG").ok().filter(|l| !l.trim().is_empty()).unwrap_or(defaults.lang);
        Ok(Self {
            qr_refresh: millis_from_env("WA_SIM_QR_REFRESH_MS", defaults.qr_refresh)?,
            delivery_delay: millis_from_env("WA_SIM_DELIVERY_DELAY_MS", defaults.delivery_delay)?,
            markup,
            boot_delay: millis_from_env("WA_SIM_BOOT_DELAY_MS", defaults.boot_delay)?,
            lang,
            pairing_code_refresh: millis_from_env("WA_SIM_PAIRING_CODE_REFRESH_MS", defaults.pairing_code_refresh)?,
        })
    }

    /// Settings for tests: the real site's behaviour with timings short
    /// enough for a test, long enough for a busy 2-core machine.
    pub fn quick(markup: Markup) -> Self {
        Self {
            delivery_delay: Duration::from_millis(300),
            markup,
            boot_delay: Duration::from_millis(200),
            ..Self::default()
        }
    }
}

fn millis_from_env(name: &'static str, default: Duration) -> Result<Duration, ConfigError> {
    match std::env::var(name) {
        Err(_) => Ok(default),
        Ok(value) => value.trim().parse::<u64>().map(Duration::from_millis).map_err(|_| ConfigError {
            name,
            problem: "must be a whole number of milliseconds".into(),
            value,
        }),
    }
}
