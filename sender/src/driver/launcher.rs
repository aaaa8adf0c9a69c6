//! What a sender process keeps for all its sessions: one chromedriver, the
//! detected Chromium, and the driver configuration.

use std::path::Path;

use super::{
    browser::{Browser, Chromium},
    chromedriver::ChromeDriver,
    DriverConfig, DriverError, WhatsAppSession,
};

pub struct Launcher {
    chromedriver: ChromeDriver,
    chromium: Chromium,
    config: DriverConfig,
}

impl Launcher {
    pub async fn start(config: DriverConfig) -> Result<Self, DriverError> {
        let chromium = Chromium::detect(&config.chromium_path, config.user_agent.clone()).await?;
        let chromedriver = ChromeDriver::start(&config.chromedriver_path).await?;
        tracing::info!(chromedriver = chromedriver.url(), whatsapp = %config.whatsapp_url, "WhatsApp driver ready");
        Ok(Self { chromedriver, chromium, config })
    }

    pub fn config(&self) -> &DriverConfig {
        &self.config
    }

    /// Opens WhatsApp Web in a new Chromium on `profile_dir`; see
    /// [`WhatsAppSession::open`].
    pub async fn open(&self, profile_dir: &Path) -> Result<WhatsAppSession, DriverError> {
        let timeouts = self.config.timeouts;
        // The in-page waits must end before WebDriver gives up on them.
        let longest = timeouts.page.max(timeouts.send).max(timeouts.media);
        let browser =
            Browser::open(&self.chromedriver, &self.chromium, profile_dir, timeouts.page, longest * 2).await?;
        WhatsAppSession::open(browser, self.config.whatsapp_url.clone(), timeouts).await
    }

    /// Stops chromedriver and every browser still open under it.
    pub async fn shutdown(self) {
        self.chromedriver.stop().await;
    }
}
