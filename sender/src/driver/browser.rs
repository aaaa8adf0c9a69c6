//! One headless Chromium per WhatsApp session, driven through chromedriver
//! with fantoccini. The browser profile (`--user-data-dir`) is the session:
//! WhatsApp Web keeps its keys there, so the same profile directory opens
//! logged in, even on another machine.
//!
//! This module owns the browser process: closing a [`Browser`] (or dropping
//! it) ends its whole process tree.

use std::{
    path::{Path, PathBuf},
    time::Duration,
};

use fantoccini::{wd::Capabilities, Client, ClientBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;
use tokio::{process::Command, time::Instant};

use super::{chromedriver::ChromeDriver, process, DriverError};

/// Flags for a headless browser in a container, kept small: each session is
/// a whole Chromium, and a sender runs many.
const FLAGS: &[&str] = &[
    "--headless=new",
    // Containers run as root without user namespaces.
    "--no-sandbox",
    "--disable-gpu",
    // Docker's /dev/shm is 64 MB; Chromium would crash on it.
    "--disable-dev-shm-usage",
    // Without these Chromium keeps calling Google (updates, sync, field
    // trials), which is noise in production and hangs without a network.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-extensions",
    "--mute-audio",
    "--password-store=basic",
    // WhatsApp Web picks its language from the browser; the texts the driver
    // looks for are English.
    "--lang=en-US",
    "--window-size=1024,768",
    // Memory: a default headless Chromium is nine processes (about 930 MB of
    // summed RSS on the simulator); these make it three (browser, storage
    // service, one renderer). The zygotes, the GPU process and the network
    // service fold into the browser; no spare renderer waits for a
    // navigation; every send link is a navigation, so no back/forward cache
    // keeps the previous page alive; and recent Chromium preloads its
    // omnibox popup as a WebUI page (~100 MB) even when headless.
    "--no-zygote",
    "--in-process-gpu",
    "--renderer-process-limit=1",
    "--enable-features=NetworkServiceInProcess2",
    "--disable-features=WebUIOmniboxPopup,WebUIOmniboxAimPopup,WebUIOmniboxFullPopup,PreloadTopChromeWebUI,\
BackForwardCache,SpareRendererForSitePerProcess,Translate,OptimizationHints,MediaRouter",
];

/// The installed Chromium and the user agent its sessions announce.
#[derive(Debug, Clone)]
pub struct Chromium {
    path: PathBuf,
    user_agent: String,
}

impl Chromium {
    /// WhatsApp Web refuses headless Chromium by its user agent
    /// (`HeadlessChrome/…`), so sessions announce a desktop Chrome of the
    /// installed major version unless `user_agent` overrides it.
    pub async fn detect(path: &Path, user_agent: Option<String>) -> Result<Self, DriverError> {
        let user_agent = match user_agent {
            Some(agent) => agent,
            None => desktop_user_agent(&version(path).await?),
        };
        Ok(Self { path: path.to_owned(), user_agent })
    }
}

async fn version(path: &Path) -> Result<String, DriverError> {
    let output = Command::new(path)
        .arg("--version")
        .output()
        .await
        .map_err(|source| DriverError::ChromiumMissing { path: path.to_owned(), source })?;
    let text = String::from_utf8_lossy(&output.stdout);
    // "Chromium 131.0.6778.85 built on Debian …"
    text.split_whitespace()
        .find(|word| word.split('.').count() == 4 && word.split('.').all(|n| n.parse::<u32>().is_ok()))
        .map(str::to_owned)
        .ok_or_else(|| DriverError::UnexpectedPage(format!("no version in `{} --version`: {text}", path.display())))
}

fn desktop_user_agent(version: &str) -> String {
    // Chrome reports only its major version in the user agent.
    let major = version.split('.').next().unwrap_or(version);
    format!("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{major}.0.0.0 Safari/537.36")
}

pub struct Browser {
    client: Client,
    pid: u32,
    closed: bool,
}

impl Browser {
    /// Starts Chromium on `profile_dir` (created if missing). `script_timeout`
    /// bounds the driver's waits inside the page.
    #[tracing::instrument(skip_all, fields(profile = %profile_dir.display()))]
    pub async fn open(
        chromedriver: &ChromeDriver,
        chromium: &Chromium,
        profile_dir: &Path,
        page_timeout: Duration,
        script_timeout: Duration,
    ) -> Result<Self, DriverError> {
        std::fs::create_dir_all(profile_dir).map_err(DriverError::Profile)?;
        // chromedriver passes the flag on verbatim; an absolute path lets the
        // browser process be found by it.
        let profile = profile_dir.canonicalize().map_err(DriverError::Profile)?;
        let mut args: Vec<String> = FLAGS.iter().map(|f| f.to_string()).collect();
        args.push(format!("--user-data-dir={}", profile.display()));
        args.push(format!("--user-agent={}", chromium.user_agent));
        let mut capabilities = Capabilities::new();
        capabilities.insert("browserName".into(), json!("chrome"));
        capabilities.insert("pageLoadStrategy".into(), json!("normal"));
        capabilities.insert(
            "timeouts".into(),
            json!({
                "implicit": 0,
                "pageLoad": page_timeout.as_millis() as u64,
                "script": script_timeout.as_millis() as u64,
            }),
        );
        capabilities.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": chromium.path,
                "args": args,
                "prefs": { "intl.accept_languages": "en-US,en" },
            }),
        );
        let client =
            ClientBuilder::new(HttpConnector::new()).capabilities(capabilities).connect(chromedriver.url()).await?;
        let Some(pid) = process::browser_of_profile(chromedriver.pid(), &profile) else {
            let _ = client.close().await;
            return Err(DriverError::BrowserNotFound(profile));
        };
        tracing::debug!(pid, "Chromium started");
        Ok(Self { client, pid, closed: false })
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The memory of the browser's whole process tree.
    pub fn memory(&self) -> process::MemoryUsage {
        process::memory(self.pid)
    }

    /// Ends the WebDriver session (Chromium flushes its profile to disk and
    /// quits), then kills whatever of the tree did not exit in time.
    pub async fn close(mut self) -> Result<(), DriverError> {
        self.closed = true;
        let pids = process::tree(self.pid);
        let closed = self.client.clone().close().await;
        let deadline = Instant::now() + Duration::from_secs(5);
        while pids.iter().any(|&pid| process::is_alive(pid)) && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        process::kill_all(&pids);
        closed.map_err(DriverError::from)
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.closed {
            process::kill_all(&process::tree(self.pid));
        }
    }
}
