//! What the control API reports: linked devices, the messages each phone
//! received and an account's new-chat message cap. The same types are read
//! back by [`crate::ControlClient`], so a test and the simulator cannot
//! disagree on a field name.

use std::{fmt, str::FromStr};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A browser profile that scanned a QR: WhatsApp's "linked device".
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct LinkedDevice {
    pub id: String,
    /// The phone number of the WhatsApp account that scanned the QR.
    pub account: String,
    pub linked_at: DateTime<Utc>,
}

/// Ordered: a message only moves forward.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum DeliveryStatus {
    /// The server has it: one tick.
    Sent,
    /// The recipient's phone has it: two ticks.
    Delivered,
    /// The recipient opened it: two blue ticks.
    Read,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Attachment {
    pub name: String,
    pub mime: String,
    pub size: u64,
    /// Hex SHA-256 of the bytes received, so a test can compare contents.
    pub sha256: String,
}

/// One message as the recipient's phone got it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ReceivedMessage {
    /// The id WhatsApp Web gave it (`3EB0…`), unique per message.
    pub id: String,
    /// The recipient, E.164 digits.
    pub to: String,
    /// The sending account, E.164 digits.
    pub from: String,
    /// The linked device (browser profile) that sent it.
    pub device: String,
    /// The text of a text message.
    pub text: Option<String>,
    pub attachment: Option<Attachment>,
    /// The caption of an attachment (absent when it was sent without one).
    pub caption: Option<String>,
    /// How long the sending page showed "typing…" (input events in the
    /// compose or caption box until the send), in milliseconds.
    #[serde(default)]
    pub typing_ms: u64,
    pub sent_at: DateTime<Utc>,
    pub status: DeliveryStatus,
}

/// Where an account stands with WhatsApp's cap on messages to people who
/// have not replied, spelled as WhatsApp Web spells it
/// (`WAWebUserPrefsTypes.NewChatMessageCappingStatusType`; evidence in
/// `sender/tests/captures/README.md`, "(4)").
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CappingStatus {
    None,
    FirstWarning,
    SecondWarning,
    /// No more new chats until the cycle ends.
    Capped,
}

impl CappingStatus {
    pub const ALL: [CappingStatus; 4] =
        [CappingStatus::None, CappingStatus::FirstWarning, CappingStatus::SecondWarning, CappingStatus::Capped];

    pub fn as_str(self) -> &'static str {
        match self {
            CappingStatus::None => "NONE",
            CappingStatus::FirstWarning => "FIRST_WARNING",
            CappingStatus::SecondWarning => "SECOND_WARNING",
            CappingStatus::Capped => "CAPPED",
        }
    }
}

impl fmt::Display for CappingStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for CappingStatus {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|s| s.as_str() == value).ok_or_else(|| {
            let known: Vec<&str> = Self::ALL.iter().map(|s| s.as_str()).collect();
            format!("unknown status `{value}`; one of: {}", known.join(", "))
        })
    }
}

/// An account's new-chat message cap as WhatsApp's server reports it: of
/// `total` messages to people who have not replied this cycle, `used` are
/// spent; the cycle ends at `cycle_ends_at`.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct NewChatCap {
    pub status: CappingStatus,
    pub used: u32,
    pub total: u32,
    pub cycle_ends_at: DateTime<Utc>,
}
