//! What can go wrong driving WhatsApp Web. [`DriverError`] is about the
//! browser and the page; [`super::SendError`] adds what a send must tell its
//! caller: whether the message may have left.

use std::{path::PathBuf, time::Duration};

#[derive(Debug, thiserror::Error)]
pub enum DriverError {
    #[error("cannot start chromedriver at {path}: {source}")]
    ChromeDriverStart { path: PathBuf, source: std::io::Error },
    #[error("chromedriver did not listen on port {port}")]
    ChromeDriverNotReady { port: u16 },
    #[error("no free local port for chromedriver: {0}")]
    NoFreePort(std::io::Error),
    #[error("cannot run Chromium at {path}: {source}")]
    ChromiumMissing { path: PathBuf, source: std::io::Error },
    #[error("cannot prepare the browser profile: {0}")]
    Profile(std::io::Error),
    #[error(transparent)]
    Snapshot(#[from] super::profile::SnapshotError),
    #[error("Chromium started but its process for profile {0} was not found")]
    BrowserNotFound(PathBuf),
    #[error("chromedriver refused a new browser session: {0}")]
    NewSession(#[from] fantoccini::error::NewSessionError),
    #[error("browser command failed: {0}")]
    Command(#[from] fantoccini::error::CmdError),
    #[error("WhatsApp Web refused this browser: {0}")]
    BrowserRejected(String),
    #[error("WhatsApp Web is logged out (the QR code is showing)")]
    LoggedOut,
    #[error("timed out after {waited:?} {step}")]
    Timeout { waited: Duration, step: &'static str },
    #[error("unexpected page: {0}")]
    UnexpectedPage(String),
    /// No alternative of a DOM hook appeared in time on a page that is
    /// otherwise fine: WhatsApp changed its markup (see `selectors.rs`).
    #[error("WhatsApp Web changed: no alternative of the \"{hook}\" hook appeared")]
    HookMissing { hook: &'static str },
    /// The driver matches English texts; this page is in another language.
    #[error(
        "WhatsApp Web shows its interface in \"{0}\", not English; set the account's and browser's language to English"
    )]
    UiLanguage(String),
}
