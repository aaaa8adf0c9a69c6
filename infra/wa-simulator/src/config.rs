//! The simulator's settings: how often the QR changes, how long a message
//! waits before it counts as delivered, which generation of WhatsApp Web's
//! markup the page draws, how long a full page load takes, the UI language
//! and whether a fresh link shows the "What's new" dialog. Tests shorten the
//! timings; the defaults are what WhatsApp Web does (a new QR about every 20
//! seconds, the second tick a moment after the first, a few seconds of
//! loading screen on every full page load, "What's new" after a scan).

use std::{fmt, str::FromStr, time::Duration};

/// Which generation of WhatsApp Web's DOM the page draws (see
/// `docs/whatsapp-web-evidence.md` for the evidence behind each).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Markup {
    /// Builds since about Jan 2026: as 2025, but message rows carry the bare
    /// key id (`data-id="3EB0…"`, `data-testid="conv-msg-3EB0…"`) and show
    /// their direction only through the bubble (tail icon, "You:" label,
    /// ticks); the reach-out timelock compose bar; "What's new" after a scan.
    #[default]
    M2026,
    /// 2025 builds: WDS icons as `<svg><title>wds-ic-…</title></svg>`,
    /// padded status `aria-label`s, `data-testid`s, `last-wid-md`, message
    /// rows with `true_`/`false_` data-ids.
    M2025,
    /// Older builds: `data-icon` spans for icons and ticks, `last-wid`.
    Legacy,
}

impl Markup {
    pub fn as_str(self) -> &'static str {
        match self {
            Markup::M2026 => "2026",
            Markup::M2025 => "2025",
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
            "2026" => Ok(Markup::M2026),
            // `current` was the 2025 markup's name before 2026 builds existed.
            "2025" | "current" => Ok(Markup::M2025),
            "legacy" => Ok(Markup::Legacy),
            other => Err(format!("`{other}` is none of `2026`, `2025` (or `current`), `legacy`")),
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
    /// Whether a device that just linked (scan or pairing code) first shows
    /// the "What's new" dialog over the chats, as 2026 builds do; only the
    /// 2026 markup draws it.
    pub whats_new: bool,
}

impl Default for SimulatorConfig {
    fn default() -> Self {
        Self {
            qr_refresh: Duration::from_secs(20),
            delivery_delay: Duration::from_secs(2),
            markup: Markup::M2026,
            boot_delay: Duration::from_secs(3),
            lang: "en".into(),
            pairing_code_refresh: Duration::from_secs(180),
            whats_new: true,
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
    /// `WA_SIM_QR_REFRESH_MS`, `WA_SIM_DELIVERY_DELAY_MS`, `WA_SIM_MARKUP`
    /// (`2026`, `2025` or `legacy`), `WA_SIM_BOOT_DELAY_MS`, `WA_SIM_LANG`,
    /// `WA_SIM_PAIRING_CODE_REFRESH_MS` and `WA_SIM_WHATS_NEW` (`on`/`off`),
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
            whats_new: switch_from_env("WA_SIM_WHATS_NEW", defaults.whats_new)?,
        })
    }

    /// Settings for tests: the real site's behaviour (including "What's new"
    /// after a scan in the 2026 markup) with timings short enough for a
    /// test, long enough for a busy 2-core machine.
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

fn switch_from_env(name: &'static str, default: bool) -> Result<bool, ConfigError> {
    match std::env::var(name) {
        Err(_) => Ok(default),
        Ok(value) => match value.trim().to_ascii_lowercase().as_str() {
            "1" | "on" | "true" | "yes" => Ok(true),
            "0" | "off" | "false" | "no" => Ok(false),
            _ => Err(ConfigError { name, problem: "must be on or off".into(), value }),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_names_parse_and_current_means_2025() {
        assert_eq!("2026".parse::<Markup>(), Ok(Markup::M2026));
        assert_eq!("2025".parse::<Markup>(), Ok(Markup::M2025));
        assert_eq!(" current ".parse::<Markup>(), Ok(Markup::M2025));
        assert_eq!("legacy".parse::<Markup>(), Ok(Markup::Legacy));
        assert!("2024".parse::<Markup>().is_err());
        assert_eq!(Markup::default().as_str(), "2026");
        assert!(SimulatorConfig::quick(Markup::M2026).whats_new, "tests see the dialog like a real scan");
    }
}
