//! Replies, as the page shows them: chat rows with an unread counter
//! (`docs/whatsapp-web-evidence.md`, "unread replies") and the incoming rows of
//! a chat after our newest message — since 2026 told from ours by the
//! bubble (no tick, `tail-in`), not by a `false_` id (`page.js`). Opening a chat here is the same
//! in-app open sending uses: no page load. Unlike the rest of the driver,
//! this reads message text out of the page (the replies themselves); it
//! never logs it.

use serde::Deserialize;
use serde_json::json;
use shared::domain::Phone;

use super::{DriverError, OpenChat, WhatsAppSession};

/// Incoming messages read per chat, at most (the newest).
pub(super) const MAX_MESSAGES: usize = 20;

/// A message someone wrote to us.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Incoming {
    /// WhatsApp's message id (bare since 2026, `false_<jid>_<id>` before).
    pub id: String,
    pub text: String,
}

impl WhatsAppSession {
    /// The numbers whose chats show an unread counter. Rows titled with a
    /// saved contact's name (not a number) cannot be told apart and are
    /// left out.
    pub async fn unread_chats(&self) -> Result<Vec<Phone>, DriverError> {
        let titles: Vec<String> = self.call("unreadTitles", json!([])).await?;
        Ok(titles.iter().filter_map(|title| phone_in(title)).collect())
    }

    /// The messages `phone` wrote after our newest one, opening the chat if
    /// it is not the open one (`None`: the number is not on WhatsApp).
    pub async fn replies_from(&self, phone: &Phone) -> Result<Option<Vec<Incoming>>, DriverError> {
        if self.open_phone().as_deref() != Some(phone.as_str()) {
            if let OpenChat::NotOnWhatsApp(_) = self.open_chat(phone).await? {
                return Ok(None);
            }
        }
        self.replies_in_open_chat().await.map(Some)
    }

    /// The open chat's phone and what it wrote after our newest message.
    pub async fn open_chat_replies(&self) -> Result<Option<(Phone, Vec<Incoming>)>, DriverError> {
        let Some(phone) = self.open_phone().and_then(|digits| Phone::parse(&format!("+{digits}")).ok()) else {
            return Ok(None);
        };
        Ok(Some((phone, self.replies_in_open_chat().await?)))
    }

    async fn replies_in_open_chat(&self) -> Result<Vec<Incoming>, DriverError> {
        self.call("repliesAfterOurs", json!([MAX_MESSAGES])).await
    }
}

/// The number in a chat title (`+98 912 123 4567`), if it is one.
fn phone_in(title: &str) -> Option<Phone> {
    let digits: String = title.chars().filter(char::is_ascii_digit).collect();
    let looks_like_number =
        title.chars().all(|c| c.is_ascii_digit() || " +-()\u{200E}\u{200F}\u{202A}\u{202C}".contains(c));
    (looks_like_number && digits.len() >= 8).then(|| Phone::parse(&format!("+{digits}")).ok()).flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chat_titles_that_are_numbers_give_the_phone() {
        assert_eq!(phone_in("+989121234567").unwrap().as_str(), "989121234567");
        assert_eq!(phone_in("+98 912 123 4567").unwrap().as_str(), "989121234567");
        assert!(phone_in("Ali Rezaei").is_none());
        assert!(phone_in("+98").is_none());
    }
}
