//! Sending: a text typed into the open chat, or a file through the attach
//! menu with the text as its caption. A send ends when WhatsApp shows the
//! new message row with a tick, not after a fixed time, and not because a
//! button was clicked (Enter sends when the button is missing or does
//! nothing). A chat that WhatsApp's timelock closes is reported as such,
//! before anything is typed.
//!
//! The outcome is explicit, and so is the one thing the campaign must never
//! guess: once the send button was pressed, a failure is
//! [`SendError::Unconfirmed`] (or a [`SendError::HookMissing`] that says
//! so) — the message may have left, and sending it again could message the
//! recipient twice.

use std::{path::Path, time::Duration};

use fantoccini::Locator;
use shared::domain::Phone;

use super::{
    page::{self, Screen, Until},
    selectors::{self, Hook},
    whatsapp::gone,
    DriverError, Limit, OpenChat, WhatsAppSession,
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendOutcome {
    /// WhatsApp acknowledged it (one tick). `message_id` is WhatsApp's key of
    /// the message (bare since 2026, `true_<jid>_<id>` before).
    Sent { message_id: String },
    /// The number has no WhatsApp account; nothing was sent, and the session
    /// is ready for the next number.
    NotOnWhatsApp(String),
    /// WhatsApp's reach-out timelock: this chat shows the restriction bar
    /// instead of the compose box (the person never wrote to the number),
    /// until `until` when the page states it. Nothing was typed or sent; a
    /// chat with someone who wrote first still works.
    NewChatsRestricted { until: Option<chrono::DateTime<chrono::Utc>> },
}

#[derive(Debug, thiserror::Error)]
pub enum SendError {
    #[error("the message is empty")]
    EmptyMessage,
    #[error("cannot attach {path}: {source}")]
    Attachment { path: String, source: std::io::Error },
    #[error("WhatsApp Web is logged out (the QR code is showing)")]
    LoggedOut,
    #[error("timed out after {waited:?} {step}; nothing was sent")]
    Timeout { waited: Duration, step: &'static str },
    #[error("the message was handed to WhatsApp but not confirmed: {0}")]
    Unconfirmed(String),
    /// WhatsApp's markup changed: no alternative of `hook` appeared.
    #[error("WhatsApp Web changed: no alternative of the \"{hook}\" hook appeared{}", if *may_have_been_sent { " after send was pressed" } else { "; nothing was sent" })]
    HookMissing { hook: &'static str, may_have_been_sent: bool },
    #[error("WhatsApp Web shows its interface in \"{0}\", not English")]
    UiLanguage(String),
    #[error(transparent)]
    Browser(DriverError),
}

impl SendError {
    /// Whether the message may have reached the recipient: only then is
    /// retrying unsafe.
    pub fn may_have_been_sent(&self) -> bool {
        matches!(self, SendError::Unconfirmed(_) | SendError::HookMissing { may_have_been_sent: true, .. })
    }
}

impl From<DriverError> for SendError {
    fn from(err: DriverError) -> Self {
        match err {
            DriverError::LoggedOut => SendError::LoggedOut,
            DriverError::Timeout { waited, step } => SendError::Timeout { waited, step },
            DriverError::HookMissing { hook } => SendError::HookMissing { hook, may_have_been_sent: false },
            DriverError::UiLanguage(lang) => SendError::UiLanguage(lang),
            other => SendError::Browser(other),
        }
    }
}

/// Files WhatsApp sends as photos or videos from the "Photos & videos" item;
/// everything else goes as a document.
fn is_photo_or_video(mime: &str) -> bool {
    (mime.starts_with("image/") && mime != "image/svg+xml")
        || matches!(mime, "video/mp4" | "video/3gpp" | "video/quicktime")
}

impl WhatsAppSession {
    /// Sends `text` to `phone`, typed all at once.
    pub async fn send_text(&self, phone: &Phone, text: &str) -> Result<SendOutcome, SendError> {
        self.send_text_typing(phone, text, Duration::ZERO).await
    }

    /// Sends `text` to `phone`, typed over `typing` (the recipient sees
    /// "typing…" meanwhile).
    #[tracing::instrument(skip_all, fields(phone = %phone))]
    pub async fn send_text_typing(
        &self,
        phone: &Phone,
        text: &str,
        typing: Duration,
    ) -> Result<SendOutcome, SendError> {
        if text.trim().is_empty() {
            return Err(SendError::EmptyMessage);
        }
        let before = match self.open_chat(phone).await? {
            OpenChat::NotOnWhatsApp(reason) => return Ok(SendOutcome::NotOnWhatsApp(reason)),
            OpenChat::Ready { last } => last.map(|m| m.id),
        };
        let compose = match self.composer().await? {
            Composer::Box(css) => css,
            Composer::Restricted(outcome) => return Ok(outcome),
        };
        page::type_text(self.client(), compose, text, typing).await?;
        self.press_send(&selectors::SEND, compose, before, Confirm::ByRowOrEmptyBox, self.timeouts().send).await
    }

    /// The open chat's compose box, or WhatsApp's timelock bar in its place.
    async fn composer(&self) -> Result<Composer, SendError> {
        let hooks = [&selectors::COMPOSE, &selectors::RESTRICTION];
        let (hook, css) = self.find_any(&hooks, self.timeouts().page).await?;
        if hook != selectors::RESTRICTION.name {
            return Ok(Composer::Box(css));
        }
        let until = match self.restriction().await? {
            Some(Limit::NewChats { until: Some(until) }) => Some(until),
            _ => self.timelock_end().await?,
        };
        tracing::warn!(?until, "WhatsApp's timelock closes new chats: this one shows its bar instead of the box");
        Ok(Composer::Restricted(SendOutcome::NewChatsRestricted { until }))
    }

    /// Sends the file at `file` (its name is what the recipient sees) with
    /// `caption` (may be empty). `mime` decides photo/video or document.
    pub async fn send_media(
        &self,
        phone: &Phone,
        file: &Path,
        mime: &str,
        caption: &str,
    ) -> Result<SendOutcome, SendError> {
        self.send_media_typing(phone, file, mime, caption, Duration::ZERO).await
    }

    /// [`Self::send_media`] with the caption typed over `typing`.
    #[tracing::instrument(skip_all, fields(phone = %phone, mime))]
    pub async fn send_media_typing(
        &self,
        phone: &Phone,
        file: &Path,
        mime: &str,
        caption: &str,
        typing: Duration,
    ) -> Result<SendOutcome, SendError> {
        let attachment_error = |source| SendError::Attachment { path: file.display().to_string(), source };
        // chromedriver uploads by absolute path, and fails late on a bad one.
        let file = file.canonicalize().map_err(attachment_error)?;
        if !file.is_file() {
            return Err(attachment_error(std::io::Error::other("not a regular file")));
        }
        let path = file.to_str().ok_or_else(|| attachment_error(std::io::Error::other("path is not UTF-8")))?;

        let before = match self.open_chat(phone).await? {
            OpenChat::NotOnWhatsApp(reason) => return Ok(SendOutcome::NotOnWhatsApp(reason)),
            OpenChat::Ready { last } => last.map(|m| m.id),
        };
        if let Composer::Restricted(outcome) = self.composer().await? {
            return Ok(outcome);
        }
        let page_timeout = self.timeouts().page;
        let attach = self.find_hook(&selectors::ATTACH, page_timeout).await?;
        self.click(attach).await?;
        let input = if is_photo_or_video(mime) { &selectors::MEDIA_INPUT } else { &selectors::DOCUMENT_INPUT };
        let input = self.find_hook(input, page_timeout).await?;
        // The input is hidden; chromedriver still sets files on it, as a
        // person picking the file in the dialog would.
        self.client()
            .find(Locator::Css(input))
            .await
            .map_err(DriverError::from)?
            .send_keys(path)
            .await
            .map_err(DriverError::from)?;
        let caption_box = self.find_hook(&selectors::CAPTION, page_timeout).await?;
        if !caption.trim().is_empty() {
            page::type_text(self.client(), caption_box, caption, typing).await?;
        }
        self.press_send(&selectors::MEDIA_SEND, caption_box, before, Confirm::ByRow, self.timeouts().media).await
    }

    /// Presses the send button of `button`, or Enter in `typed_into` when
    /// the button does not show, and waits for a message newer than
    /// `before` with a tick: a send is confirmed by the new row, never by
    /// the click. Any failure from the press on may have sent it.
    async fn press_send(
        &self,
        button: &Hook,
        typed_into: &str,
        before: Option<String>,
        confirm: Confirm,
        timeout: Duration,
    ) -> Result<SendOutcome, SendError> {
        // The send button replaces the microphone once the box holds text.
        let pressed = match self.find_hook(button, BUTTON_WAIT.min(self.timeouts().page)).await {
            Ok(css) => self.click(css).await.map(|()| Pressed::Button),
            Err(DriverError::HookMissing { hook }) => {
                tracing::warn!(hook, "no send button; pressing Enter in the box instead");
                self.press_enter(typed_into).await.map(|()| Pressed::Enter)
            }
            Err(err) => return Err(err.into()),
        };
        let pressed = match pressed {
            Ok(pressed) => pressed,
            Err(err) => return Err(SendError::Unconfirmed(format!("pressing send failed: {err}"))),
        };
        // Reports conflict on whether the button still sends (Nov 2025):
        // when the page took nothing — no new row, the text still in the
        // box — Enter sends it. The box still holding the text is what
        // makes a second press safe.
        if pressed == Pressed::Button && confirm == Confirm::ByRowOrEmptyBox {
            match self.wait(Until::Taken { after: before.as_deref() }, TAKE_WAIT).await {
                Ok(waited) if !waited.met && matches!(waited.screen, Screen::Chat { .. }) => {
                    tracing::warn!("the send button did nothing; pressing Enter in the box");
                    if let Err(err) = self.press_enter(typed_into).await {
                        return Err(SendError::Unconfirmed(format!("pressing Enter failed: {err}")));
                    }
                }
                Ok(_) => {}
                Err(err) => return Err(SendError::Unconfirmed(format!("lost the page after pressing send: {err}"))),
            }
        }
        let waited = match self.wait(Until::Sent { after: before.as_deref() }, timeout).await {
            Ok(waited) => waited,
            Err(err) => return Err(SendError::Unconfirmed(format!("lost the page while waiting for the tick: {err}"))),
        };
        let drift = |hook| SendError::HookMissing { hook, may_have_been_sent: true };
        match waited.screen {
            Screen::Chat { last: Some(message), .. } if waited.met => {
                message.status_noted();
                Ok(SendOutcome::Sent { message_id: message.id })
            }
            // WhatsApp draws the new message at once, with a clock: none
            // at all means the row hooks (or the button's) no longer match.
            Screen::Chat { last, .. } if last.as_ref().map(|m| &m.id) == before.as_ref() => {
                Err(drift(selectors::MESSAGE_ROW.name))
            }
            Screen::Chat { last: Some(message), .. } if message.status.is_none() => Err(drift(selectors::TICKS_NAME)),
            screen => match gone(screen.clone()) {
                Some(DriverError::LoggedOut) => {
                    Err(SendError::Unconfirmed("logged out before the message showed a tick".into()))
                }
                _ => Err(SendError::Unconfirmed(format!("no tick within {timeout:?} (page shows the {screen})"))),
            },
        }
    }

    /// Enter in the box at `css`: WhatsApp sends a text (or a file from its
    /// preview's caption box) on Enter in every build.
    async fn press_enter(&self, css: &str) -> Result<(), DriverError> {
        self.dismiss_covering_dialog().await?;
        let enter = fantoccini::key::Key::Enter.to_string();
        self.client().find(Locator::Css(css)).await?.send_keys(&enter).await?;
        Ok(())
    }
}

/// How long the send button may take to show after the text is in.
const BUTTON_WAIT: Duration = Duration::from_secs(5);
/// How long a pressed send button has to show that the page took the
/// message before Enter is tried.
const TAKE_WAIT: Duration = Duration::from_secs(5);

/// The open chat's bottom bar.
enum Composer {
    Box(&'static str),
    Restricted(SendOutcome),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pressed {
    Button,
    Enter,
}

/// What shows that a pressed button did something: for a text, the box
/// empties too; a file's preview closes, which the main box cannot show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Confirm {
    ByRowOrEmptyBox,
    ByRow,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn photos_and_videos_take_the_media_picker() {
        assert!(is_photo_or_video("image/jpeg"));
        assert!(is_photo_or_video("video/mp4"));
        assert!(!is_photo_or_video("video/webm"));
        assert!(!is_photo_or_video("image/svg+xml"));
        assert!(!is_photo_or_video("application/pdf"));
    }
}
