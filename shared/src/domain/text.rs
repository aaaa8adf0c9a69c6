//! Free text people type (names, titles, messages, descriptions): trimmed,
//! bounded in characters, and free of control characters that would break a
//! spreadsheet or a terminal. Persian text is first-class.

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidText {
    #[error("must not be empty")]
    Empty,
    #[error("must be at most {0} characters")]
    TooLong(usize),
    #[error("must not contain control characters (line breaks only where text may span lines)")]
    ControlCharacters,
}

/// One required line: a title or a name.
pub fn line(raw: &str, max: usize) -> Result<String, InvalidText> {
    optional_line(raw, max)?.ok_or(InvalidText::Empty)
}

/// Required text that may span lines: a message.
pub fn block(raw: &str, max: usize) -> Result<String, InvalidText> {
    optional_block(raw, max)?.ok_or(InvalidText::Empty)
}

/// An optional line (a category); empty means "none".
pub fn optional_line(raw: &str, max: usize) -> Result<Option<String>, InvalidText> {
    let text = raw.trim();
    if text.is_empty() {
        return Ok(None);
    }
    checked(text, max, |c| c.is_control()).map(Some)
}

/// Optional text that may span lines; empty means "none".
pub fn optional_block(raw: &str, max: usize) -> Result<Option<String>, InvalidText> {
    let text = raw.trim();
    if text.is_empty() {
        return Ok(None);
    }
    checked(text, max, |c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')).map(Some)
}

fn checked(text: &str, max: usize, forbidden: impl Fn(char) -> bool) -> Result<String, InvalidText> {
    if text.chars().count() > max {
        return Err(InvalidText::TooLong(max));
    }
    if text.chars().any(forbidden) {
        return Err(InvalidText::ControlCharacters);
    }
    Ok(text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_blocks() {
        assert_eq!(line("  بسته طلایی ", 10).unwrap(), "بسته طلایی");
        assert_eq!(line(" ", 10), Err(InvalidText::Empty));
        assert_eq!(line("abcdef", 5), Err(InvalidText::TooLong(5)));
        assert_eq!(line("a\nb", 5), Err(InvalidText::ControlCharacters));
        assert_eq!(optional_line(" x ", 5).unwrap().as_deref(), Some("x"));
        assert_eq!(optional_block("  ", 5).unwrap(), None);
        assert_eq!(optional_block("a\nb", 5).unwrap().as_deref(), Some("a\nb"));
        assert_eq!(optional_block("a\u{7}b", 5), Err(InvalidText::ControlCharacters));
        assert_eq!(block(" \n ", 5), Err(InvalidText::Empty));
        assert_eq!(block("a\nb", 5).unwrap(), "a\nb");
    }
}
