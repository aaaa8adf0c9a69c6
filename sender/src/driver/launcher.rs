//! What a sender process keeps for all its sessions: one chromedriver, the
//! detected Chromium, and the driver configuration.

use std::path::Path;

use url::Url;

use super::{
    browser::{Browser, Chromium},
    chromedriver::ChromeDriver,
    profile, DriverConfig, DriverError, WhatsAppSession,
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

    /// Opens WhatsApp Web in a new Chromium on `profile_dir` (created if
    /// missing) and waits until it shows the QR, or the chats for a profile
    /// that was linked before.
    pub async fn open(&self, profile_dir: &Path) -> Result<WhatsAppSession, DriverError> {
        let browser = self.browser(profile_dir).await?;
        WhatsAppSession::open(browser, profile_dir, self.config.whatsapp_url.clone(), self.config.timeouts).await
    }

    /// Loads `url` (a saved page: a capture of WhatsApp Web) in a new
    /// Chromium on `profile_dir`, waiting for nothing: the driver's reading
    /// of it is [`WhatsAppSession::reading`].
    pub async fn inspect(&self, profile_dir: &Path, url: &Url) -> Result<WhatsAppSession, DriverError> {
        let browser = self.browser(profile_dir).await?;
        let session = WhatsAppSession::on(browser, profile_dir, url.clone(), self.config.timeouts);
        session.client().goto(url.as_str()).await?;
        Ok(session)
    }

    async fn browser(&self, profile_dir: &Path) -> Result<Browser, DriverError> {
        let timeouts = self.config.timeouts;
        // The in-page waits must end before WebDriver gives up on them.
        let longest = timeouts.page.max(timeouts.send).max(timeouts.media);
        Browser::open(&self.chromedriver, &self.chromium, profile_dir, timeouts.page, longest * 2).await
    }

    /// A snapshot of `session`'s profile ([`profile::pack_profile`]) and the
    /// session again, reopened on the same profile.
    ///
    /// The browser is closed for the copy: a running Chromium holds writes
    /// back (localStorage reaches the disk up to ~5 s late) or has them half
    /// done (LevelDB compactions), so a copy taken right after the login
    /// could miss it. Closed, Chromium has written everything out.
    pub async fn snapshot(&self, session: WhatsAppSession) -> Result<(Vec<u8>, WhatsAppSession), DriverError> {
        let dir = session.profile_dir().to_owned();
        session.close().await?;
        let packed_dir = dir.clone();
        let snapshot = tokio::task::spawn_blocking(move || profile::pack_profile(&packed_dir))
            .await
            .map_err(|err| DriverError::Profile(std::io::Error::other(err)))?
            .map_err(DriverError::Snapshot)?;
        tracing::info!(bytes = snapshot.len(), "profile snapshot taken");
        Ok((snapshot, self.open(&dir).await?))
    }

    /// chromedriver's process id: every browser of this launcher runs under
    /// it (for health checks, and for tests that check nothing outlives it).
    pub fn chromedriver_pid(&self) -> u32 {
        self.chromedriver.pid()
    }

    /// chromedriver's WebDriver endpoint, `http://127.0.0.1:<port>` (the
    /// readiness check asks it for its status).
    pub fn webdriver_url(&self) -> &str {
        self.chromedriver.url()
    }

    /// Stops chromedriver and every browser still open under it.
    pub async fn shutdown(&self) {
        self.chromedriver.stop().await;
    }
}
