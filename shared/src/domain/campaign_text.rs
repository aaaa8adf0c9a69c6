//! A campaign's free text: its title (optional, at most 255 characters, the
//! column's width) and its message (required, at most 4,096 characters —
//! WhatsApp's practical limit for a caption is lower than for text, and
//! 4,096 keeps both usable). Both are trimmed; Persian is first-class.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CampaignTitle(String);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CampaignMessage(String);

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum InvalidText {
    #[error("must not be empty")]
    Empty,
    #[error("must be at most {0} characters")]
    TooLong(usize),
    #[error("must not contain control characters other than line breaks and tabs")]
    ControlCharacters,
}

pub const TITLE_MAX_CHARS: usize = 255;
pub const MESSAGE_MAX_CHARS: usize = 4096;

fn checked(raw: &str, max: usize, allow_breaks: bool) -> Result<String, InvalidText> {
    let text = raw.trim();
    if text.is_empty() {
        return Err(InvalidText::Empty);
    }
    if text.chars().count() > max {
        return Err(InvalidText::TooLong(max));
    }
    let allowed = |c: char| allow_breaks && matches!(c, '\n' | '\r' | '\t');
    if text.chars().any(|c| c.is_control() && !allowed(c)) {
        return Err(InvalidText::ControlCharacters);
    }
    Ok(text.to_owned())
}

impl CampaignTitle {
    pub fn parse(raw: &str) -> Result<Self, InvalidText> {
        checked(raw, TITLE_MAX_CHARS, false).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl CampaignMessage {
    pub fn parse(raw: &str) -> Result<Self, InvalidText> {
        checked(raw, MESSAGE_MAX_CHARS, true).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CampaignTitle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules() {
        assert_eq!(CampaignTitle::parse("  کمپین نوروز ").unwrap().as_str(), "کمپین نوروز");
        assert_eq!(CampaignTitle::parse(" "), Err(InvalidText::Empty));
        assert_eq!(CampaignTitle::parse(&"x".repeat(256)), Err(InvalidText::TooLong(255)));
        assert_eq!(CampaignTitle::parse("a\nb"), Err(InvalidText::ControlCharacters));
        assert_eq!(CampaignMessage::parse("سلام\nدنیا").unwrap().as_str(), "سلام\nدنیا");
        assert_eq!(CampaignMessage::parse("a\u{0}b"), Err(InvalidText::ControlCharacters));
        assert!(CampaignMessage::parse(&"م".repeat(4096)).is_ok());
    }
}
