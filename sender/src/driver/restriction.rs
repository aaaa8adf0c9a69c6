//! WhatsApp's account restriction notice: when its spam measures restrict
//! (or ban) a number, WhatsApp Web shows a dialog saying so. The driver
//! only reads it; what to do is the send governor's business.

use std::time::Duration;

use serde_json::{json, Value};

use super::{DriverError, WhatsAppSession};

/// The dialog texts that mean the account may not send (English UI).
const NOTICE_PATTERNS: &[&str] =
    &["account is restricted", "account has been restricted", "not allowed to use whatsapp", "account is banned"];

/// The text of a dialog matching one of the patterns, if any.
const FIND_NOTICE: &str = r#"
const [patterns] = arguments;
for (const dialog of document.querySelectorAll('[role="dialog"], [data-animate-modal-popup]')) {
  const text = (dialog.innerText || '').toLowerCase();
  if (patterns.some((p) => text.includes(p))) return text;
}
return null;
"#;

/// How long a restriction lasts when the notice does not say.
const DEFAULT_RESTRICTION: Duration = Duration::from_secs(24 * 3600);

impl WhatsAppSession {
    /// `Some(how long)` while WhatsApp Web shows the restriction notice.
    pub async fn restriction(&self) -> Result<Option<Duration>, DriverError> {
        let found = self.client().execute(FIND_NOTICE, vec![json!(NOTICE_PATTERNS)]).await?;
        Ok(match found {
            Value::String(text) => Some(stated_length(&text).unwrap_or(DEFAULT_RESTRICTION)),
            _ => None,
        })
    }
}

/// "… restricted for 24 hours …" → 24 h.
fn stated_length(text: &str) -> Option<Duration> {
    let words: Vec<&str> = text.split_whitespace().collect();
    words.windows(2).find_map(|pair| {
        let count: u64 = pair[0].parse().ok()?;
        match pair[1].trim_end_matches(['.', ',']) {
            "hour" | "hours" => Some(Duration::from_secs(count * 3600)),
            "day" | "days" => Some(Duration::from_secs(count * 86_400)),
            _ => None,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_notice_says_how_long() {
        let text = "your account has been restricted for 12 hours because of possible spam.";
        assert_eq!(stated_length(text), Some(Duration::from_secs(12 * 3600)));
        assert_eq!(stated_length("your account is restricted right now"), None);
    }
}
