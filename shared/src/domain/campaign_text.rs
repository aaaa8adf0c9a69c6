//! A campaign's free text: its title (optional, at most 255 characters, the
//! column's width) and its message (required, at most 4,096 characters —
//! WhatsApp's practical limit for a caption is lower than for text, and
//! 4,096 keeps both usable). Both are trimmed; Persian is first-class.

use std::fmt;

use super::text::{self, InvalidText};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CampaignTitle(String);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CampaignMessage(String);

pub const TITLE_MAX_CHARS: usize = 255;
pub const MESSAGE_MAX_CHARS: usize = 4096;

impl CampaignTitle {
    pub fn parse(raw: &str) -> Result<Self, InvalidText> {
        text::line(raw, TITLE_MAX_CHARS).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl CampaignMessage {
    pub fn parse(raw: &str) -> Result<Self, InvalidText> {
        text::block(raw, MESSAGE_MAX_CHARS).map(Self)
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
