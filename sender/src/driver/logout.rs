//! "Log out" from WhatsApp Web's own page, so WhatsApp unlinks the device
//! and the phone's "Linked devices" no longer lists it (closing the browser
//! or deleting the profile leaves it listed). The UI path and its hooks are
//! in `docs/whatsapp-web-logout.md`: the chat list's menu → "Log out" → the
//! "Log out?" confirmation's "Log out"; WhatsApp then reloads to the QR.

use std::time::{Duration, Instant};

use super::{
    page::{self, Screen, Until},
    selectors, DriverError, LoginState, WhatsAppSession,
};

impl WhatsAppSession {
    /// Logs this device out on WhatsApp, from the logged-in page, and waits
    /// for the login screen that proves it. Already logged out is `Ok`. A
    /// step whose every alternative is gone is [`DriverError::HookMissing`]
    /// naming it (`menu`, `log-out`, `log-out-confirm`).
    #[tracing::instrument(skip_all)]
    pub async fn log_out(&self) -> Result<(), DriverError> {
        let page_timeout = self.timeouts().page;
        let mut state = self.login_state().await?;
        if state == LoginState::Loading {
            state = self.next_login_state(&LoginState::Loading, page_timeout).await?;
        }
        match state {
            LoginState::Qr(_) | LoginState::PhoneEntry | LoginState::PairingCode(_) => return Ok(()),
            LoginState::Loading => {
                return Err(DriverError::Timeout { waited: page_timeout, step: "loading WhatsApp Web to log out" })
            }
            LoginState::LoggedIn => {}
        }
        // Unlinked from the phone while we clicked: the goal is reached.
        match self.click_through_log_out(page_timeout).await {
            Err(DriverError::LoggedOut) => return Ok(()),
            other => other?,
        }
        self.set_open(None);
        self.wait_for_login_screen(page_timeout).await?;
        tracing::info!("logged out of WhatsApp Web");
        Ok(())
    }

    async fn click_through_log_out(&self, timeout: Duration) -> Result<(), DriverError> {
        let menu = self.find_hook(&selectors::MENU, timeout).await?;
        self.click(menu).await?;
        let item = self.find_hook(&selectors::LOG_OUT, timeout).await?;
        self.click(item).await?;
        // The confirmation is a popup; its button is matched by its text,
        // else by WhatsApp's popup test id.
        let missing = DriverError::HookMissing { hook: selectors::LOG_OUT_CONFIRM.name };
        match self.find_hook(&selectors::POPUP, timeout).await {
            Ok(_) => {}
            Err(DriverError::HookMissing { .. }) => return Err(missing),
            Err(err) => return Err(err),
        }
        let popups: Vec<&str> = selectors::POPUP.alternatives.iter().map(|a| a.css).collect();
        if page::click_text_in(self.client(), &popups, selectors::LOG_OUT_CONFIRM_TEXTS).await?.is_some() {
            return Ok(());
        }
        match self.find_hook(&selectors::LOG_OUT_CONFIRM, Duration::ZERO).await {
            Ok(confirm) => self.click(confirm).await,
            Err(DriverError::HookMissing { .. }) => Err(missing),
            Err(err) => Err(err),
        }
    }

    /// WhatsApp reloads the page after a logout; a wait cut short by the
    /// reload is tried again until `timeout`.
    async fn wait_for_login_screen(&self, timeout: Duration) -> Result<(), DriverError> {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.wait(Until::LoggedOut, left).await {
                Ok(waited) if waited.met => {
                    return match waited.screen {
                        Screen::Unsupported { detail } => Err(DriverError::BrowserRejected(detail)),
                        Screen::Language { detail } => Err(DriverError::UiLanguage(detail)),
                        _ => Ok(()),
                    }
                }
                Ok(_) => break,
                Err(DriverError::Command(err)) if !left.is_zero() => {
                    tracing::debug!(error = %err, "wait cut short (the page reloads after a logout)");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(err) => return Err(err),
            }
        }
        Err(DriverError::Timeout { waited: timeout, step: "waiting for the QR after logging out" })
    }
}
