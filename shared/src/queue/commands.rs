//! The versioned JSON commands: `{"v":1,"kind":"start","campaignId":7,"sentAt":"…"}`.
//! A sender drops nothing it cannot read: an unreadable message stays on its
//! queue and reaches the dead-letter queue after a few receives.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub const COMMAND_VERSION: u32 = 1;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommandKind {
    /// Open (or restore) the campaign's WhatsApp session; show a QR if it is
    /// not logged in.
    Open,
    /// The campaign went RUNNING: send.
    Start,
    Pause,
    Resume,
    /// The pause between messages changed.
    Interval,
    /// Close the session and forget its WhatsApp login.
    Cleanup,
    /// The previous owner is gone: take the session over and carry on with
    /// whatever the campaign's state says.
    TakeOver,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Command {
    pub v: u32,
    pub kind: CommandKind,
    pub campaign_id: i64,
    pub sent_at: DateTime<Utc>,
}

impl Command {
    pub fn new(kind: CommandKind, campaign_id: i64) -> Self {
        Self { v: COMMAND_VERSION, kind, campaign_id, sent_at: Utc::now() }
    }

    /// A command this code understands, or why not.
    pub fn parse(body: &str) -> Result<Self, String> {
        let command: Command = serde_json::from_str(body).map_err(|e| format!("unreadable command: {e}"))?;
        if command.v != COMMAND_VERSION {
            return Err(format!("unsupported command version {}", command.v));
        }
        Ok(command)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("commands serialize")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_refuses_the_unknown() {
        let command = Command::new(CommandKind::TakeOver, 7);
        let json = command.to_json();
        assert!(json.contains(r#""kind":"take_over""#) && json.contains(r#""campaignId":7"#), "{json}");
        assert_eq!(Command::parse(&json).unwrap(), command);
        assert!(Command::parse("{").is_err());
        assert!(Command::parse(r#"{"v":2,"kind":"start","campaignId":1,"sentAt":"2026-01-01T00:00:00Z"}"#).is_err());
        assert!(Command::parse(r#"{"v":1,"kind":"explode","campaignId":1,"sentAt":"2026-01-01T00:00:00Z"}"#).is_err());
    }
}
