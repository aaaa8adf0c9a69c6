//! One WhatsApp Web session: a browser on one profile, and what a campaign
//! needs from it — the QR while logging in, whether it is connected, sending
//! (in `send.rs`) and the ticks of the last message to a phone.
//!
//! Every wait polls the page ([`super::page`]); nothing sleeps a fixed time.

use std::{
    fmt::Write,
    path::{Path, PathBuf},
    time::Duration,
};

use fantoccini::Client;
use serde::Deserialize;
use shared::domain::Phone;
use url::Url;

use super::{
    browser::Browser,
    page::{self, Screen, Until},
    process::MemoryUsage,
    selectors, DriverError, Timeouts,
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginState {
    /// WhatsApp Web is still starting (or loading chats).
    Loading,
    /// The QR code shows this string (WhatsApp's `data-ref`); it changes
    /// about every 20 seconds.
    Qr(String),
    LoggedIn,
}

/// The ticks of a message we sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MessageStatus {
    /// No tick yet (a clock): WhatsApp's server has not acknowledged it.
    Pending,
    /// One tick: WhatsApp has it.
    Sent,
    /// Two ticks: the recipient's phone has it (or has read it).
    Delivered,
}

pub struct WhatsAppSession {
    browser: Browser,
    profile_dir: PathBuf,
    base_url: Url,
    timeouts: Timeouts,
}

impl WhatsAppSession {
    /// Loads WhatsApp Web and waits until it shows either the QR or the
    /// chats (a profile that was linked before opens logged in).
    pub(super) async fn open(
        browser: Browser,
        profile_dir: &Path,
        base_url: Url,
        timeouts: Timeouts,
    ) -> Result<Self, DriverError> {
        let session = Self { browser, profile_dir: profile_dir.to_owned(), base_url, timeouts };
        session.client().goto(session.base_url.as_str()).await?;
        match session.next_login_state(&LoginState::Loading, timeouts.page).await? {
            LoginState::Loading => Err(DriverError::Timeout { waited: timeouts.page, step: "loading WhatsApp Web" }),
            _ => Ok(session),
        }
    }

    pub(super) fn client(&self) -> &Client {
        self.browser.client()
    }

    pub(super) fn timeouts(&self) -> Timeouts {
        self.timeouts
    }

    /// What the login screen shows now.
    pub async fn login_state(&self) -> Result<LoginState, DriverError> {
        login_state(page::screen(self.client()).await?)
    }

    /// Waits until the login state differs from `previous` (a new QR, or
    /// logged in) and returns it; after `wait` returns the state as it is,
    /// which may be unchanged.
    pub async fn next_login_state(&self, previous: &LoginState, wait: Duration) -> Result<LoginState, DriverError> {
        let until = match previous {
            LoginState::Qr(shown) => Until::Login { not_qr: Some(shown) },
            LoginState::Loading => Until::Login { not_qr: None },
            // Logged in: wait for the QR of a logout.
            LoginState::LoggedIn => Until::Element(selectors::QR_CONTAINER),
        };
        let (_, screen) = page::wait(self.client(), until, wait).await?;
        login_state(screen)
    }

    /// Logged in, as far as the page shows: a device unlinked from the
    /// phone goes back to the QR.
    pub async fn is_connected(&self) -> Result<bool, DriverError> {
        Ok(self.login_state().await? == LoginState::LoggedIn)
    }

    /// The ticks of the newest message we sent to `phone` (`None` when there
    /// is none, or the number is not on WhatsApp). Reads the open chat when
    /// it is that phone's, else opens it.
    pub async fn message_status(&self, phone: &Phone) -> Result<Option<MessageStatus>, DriverError> {
        if !self.chat_is_open(phone).await? {
            self.client().goto(self.send_link(phone, None).as_str()).await?;
        }
        match self.open_chat(false).await? {
            OpenChat::NotOnWhatsApp(_) => Ok(None),
            OpenChat::Ready { last } => Ok(last.map(|m| m.status)),
        }
    }

    /// The browser profile this session lives in.
    pub fn profile_dir(&self) -> &Path {
        &self.profile_dir
    }

    /// The memory of this session's browser (its whole process tree).
    pub fn memory(&self) -> MemoryUsage {
        self.browser.memory()
    }

    /// Closes the browser; the profile stays on disk, complete (Chromium
    /// writes it out on a clean exit).
    pub async fn close(self) -> Result<(), DriverError> {
        self.browser.close().await
    }

    /// `…/send?phone=<digits>&text=<text>`: WhatsApp's deep link that opens
    /// the chat with the text in the compose box.
    pub(super) fn send_link(&self, phone: &Phone, text: Option<&str>) -> Url {
        let mut url = self.base_url.join(selectors::SEND_PATH).expect("a fixed relative path joins");
        let mut query = format!("phone={}", phone.as_str());
        if let Some(text) = text {
            query.push_str("&text=");
            query.push_str(&percent_encode(text));
        }
        url.set_query(Some(&query));
        url
    }

    async fn chat_is_open(&self, phone: &Phone) -> Result<bool, DriverError> {
        let url = self.client().current_url().await?;
        Ok(url.path() == selectors::SEND_PATH && url.query_pairs().any(|(k, v)| k == "phone" && v == phone.as_str()))
    }

    /// Waits for the chat that the send link opens. With `ready`, also for
    /// its send button (the link's text filled in).
    pub(super) async fn open_chat(&self, ready: bool) -> Result<OpenChat, DriverError> {
        let (met, screen) = page::wait(self.client(), Until::Chat { ready }, self.timeouts.page).await?;
        match screen {
            Screen::Chat { last, .. } if met => Ok(OpenChat::Ready { last }),
            Screen::Invalid { detail } => {
                // Dismiss it, or it would cover the next chat.
                self.client().find(fantoccini::Locator::Css(selectors::POPUP_BUTTON)).await?.click().await?;
                Ok(OpenChat::NotOnWhatsApp(detail))
            }
            Screen::Qr { .. } => Err(DriverError::LoggedOut),
            Screen::Unsupported { detail } => Err(DriverError::BrowserRejected(detail)),
            _ => Err(DriverError::Timeout { waited: self.timeouts.page, step: "opening the chat" }),
        }
    }
}

/// What the send link led to.
pub(super) enum OpenChat {
    Ready { last: Option<page::LastMessage> },
    NotOnWhatsApp(String),
}

fn login_state(screen: Screen) -> Result<LoginState, DriverError> {
    match screen {
        Screen::Loading => Ok(LoginState::Loading),
        Screen::Qr { detail } => Ok(LoginState::Qr(detail)),
        Screen::Unsupported { detail } => Err(DriverError::BrowserRejected(detail)),
        Screen::Main | Screen::Chat { .. } | Screen::Invalid { .. } => Ok(LoginState::LoggedIn),
    }
}

/// RFC 3986 percent-encoding of everything but the unreserved characters:
/// spaces become `%20` (WhatsApp does not read `+` as a space everywhere).
fn percent_encode(text: &str) -> String {
    let mut encoded = String::with_capacity(text.len() * 3);
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            encoded.push(byte as char);
        } else {
            let _ = write!(encoded, "%{byte:02X}");
        }
    }
    encoded
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_percent_encoded_for_the_send_link() {
        assert_eq!(percent_encode("a b+c&d"), "a%20b%2Bc%26d");
        assert_eq!(percent_encode("سلام"), "%D8%B3%D9%84%D8%A7%D9%85");
        assert_eq!(percent_encode("line\nbreak 👍"), "line%0Abreak%20%F0%9F%91%8D");
    }
}
