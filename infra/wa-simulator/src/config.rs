//! The simulator's timings: how often the QR changes and how long a message
//! waits before it counts as delivered. Tests shorten both; the defaults are
//! what WhatsApp Web does (a new QR about every 20 seconds, the second tick a
//! moment after the first).

use std::time::Duration;

#[derive(Debug, Clone)]
pub struct SimulatorConfig {
    /// How long one QR ref stays valid before the login page shows the next.
    pub qr_refresh: Duration,
    /// How long after the server accepted a message its double tick appears.
    pub delivery_delay: Duration,
}

impl Default for SimulatorConfig {
    fn default() -> Self {
        Self { qr_refresh: Duration::from_secs(20), delivery_delay: Duration::from_secs(2) }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("{name} must be a whole number of milliseconds, got {value:?}")]
pub struct ConfigError {
    name: &'static str,
    value: String,
}

impl SimulatorConfig {
    /// `WA_SIM_QR_REFRESH_MS` and `WA_SIM_DELIVERY_DELAY_MS`, each optional.
    pub fn from_env() -> Result<Self, ConfigError> {
        let defaults = Self::default();
        Ok(Self {
            qr_refresh: millis_from_env("WA_SIM_QR_REFRESH_MS", defaults.qr_refresh)?,
            delivery_delay: millis_from_env("WA_SIM_DELIVERY_DELAY_MS", defaults.delivery_delay)?,
        })
    }
}

fn millis_from_env(name: &'static str, default: Duration) -> Result<Duration, ConfigError> {
    match std::env::var(name) {
        Err(_) => Ok(default),
        Ok(value) => value.trim().parse::<u64>().map(Duration::from_millis).map_err(|_| ConfigError { name, value }),
    }
}
