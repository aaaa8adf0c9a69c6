//! The versioned JSON commands: `{"v":1,"kind":"start","campaignId":7,"accountId":3,"sentAt":"…"}`.
//! A command names the WhatsApp account whose session acts, the campaign it
//! is about, or both (commands queued before sessions were per account name
//! only the campaign: the sender looks its account up).
//! A sender drops nothing it cannot read: an unreadable message stays on its
//! queue and reaches the dead-letter queue after a few receives.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub const COMMAND_VERSION: u32 = 1;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommandKind {
    /// Open (or restore) the account's WhatsApp session; show a QR if it is
    /// not logged in.
    Open,
    /// The campaign went RUNNING: send.
    Start,
    Pause,
    Resume,
    /// The pause between messages changed.
    Interval,
    /// The campaign no longer sends through the session (detached or
    /// deleted): stop serving it. The number stays linked.
    Cleanup,
    /// The previous owner is gone: take the session over and carry on with
    /// whatever the campaigns' state says.
    TakeOver,
    /// The user removed the account: log the device out on WhatsApp and
    /// forget the login.
    LogOut,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Command {
    pub v: u32,
    pub kind: CommandKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub campaign_id: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<i64>,
    pub sent_at: DateTime<Utc>,
}

impl Command {
    /// About a campaign (its account, when known, added with `via`).
    pub fn new(kind: CommandKind, campaign_id: i64) -> Self {
        Self { v: COMMAND_VERSION, kind, campaign_id: Some(campaign_id), account_id: None, sent_at: Utc::now() }
    }

    /// For an account's session itself.
    pub fn for_account(kind: CommandKind, account_id: i64) -> Self {
        Self { v: COMMAND_VERSION, kind, campaign_id: None, account_id: Some(account_id), sent_at: Utc::now() }
    }

    /// The same command, naming the account whose session acts.
    pub fn via(mut self, account_id: Option<i64>) -> Self {
        self.account_id = account_id.or(self.account_id);
        self
    }

    /// A command this code understands, or why not.
    pub fn parse(body: &str) -> Result<Self, String> {
        let command: Command = serde_json::from_str(body).map_err(|e| format!("unreadable command: {e}"))?;
        if command.v != COMMAND_VERSION {
            return Err(format!("unsupported command version {}", command.v));
        }
        if command.campaign_id.is_none() && command.account_id.is_none() {
            return Err("a command names a campaign or an account".into());
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
        let logout = Command::for_account(CommandKind::LogOut, 3).to_json();
        assert!(logout.contains(r#""accountId":3"#) && !logout.contains("campaignId"), "{logout}");
        assert!(Command::parse(r#"{"v":1,"kind":"start","sentAt":"2026-01-01T00:00:00Z"}"#).is_err());
        assert!(Command::parse("{").is_err());
        assert!(Command::parse(r#"{"v":2,"kind":"start","campaignId":1,"sentAt":"2026-01-01T00:00:00Z"}"#).is_err());
        assert!(Command::parse(r#"{"v":1,"kind":"explode","campaignId":1,"sentAt":"2026-01-01T00:00:00Z"}"#).is_err());
    }
}
