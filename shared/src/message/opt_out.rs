//! Saying no: the footer a campaign may append, and the reply keywords that
//! put a number on its owner's suppression list.

/// Appended to a message when the campaign sets `optOutFooter`.
pub const OPT_OUT_FOOTER: &str = "لغو: ۱۱";

/// Used when the `OPT_OUT_KEYWORDS` setting is absent.
pub const DEFAULT_OPT_OUT_KEYWORDS: [&str; 6] = ["لغو", "۱۱", "11", "stop", "unsubscribe", "انصراف"];

/// The keywords a whole reply must equal (after [`normalize`]) to opt out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptOutKeywords(Vec<String>);

impl Default for OptOutKeywords {
    fn default() -> Self {
        Self(DEFAULT_OPT_OUT_KEYWORDS.iter().map(|k| normalize(k)).collect())
    }
}

impl OptOutKeywords {
    /// A comma-separated list (`لغو,stop`); empty entries are dropped, an
    /// empty list is the default.
    pub fn parse(raw: &str) -> Self {
        let keywords: Vec<String> = raw.split(',').map(normalize).filter(|k| !k.is_empty()).collect();
        if keywords.is_empty() {
            Self::default()
        } else {
            Self(keywords)
        }
    }
}

/// Whether a reply asks to stop: the whole reply, ignoring case, spacing,
/// punctuation and the digit script, is one of the keywords. "Stop!" and
/// « ۱۱ » opt out; "don't stop" does not.
pub fn is_opt_out(reply: &str, keywords: &OptOutKeywords) -> bool {
    let reply = normalize(reply);
    !reply.is_empty() && keywords.0.contains(&reply)
}

fn normalize(text: &str) -> String {
    text.chars()
        .filter_map(|c| match c {
            '۰'..='۹' => char::from_digit(c as u32 - '۰' as u32, 10),
            '٠'..='٩' => char::from_digit(c as u32 - '٠' as u32, 10),
            // Arabic yeh and kaf typed on Arabic keyboards.
            'ي' => Some('ی'),
            'ك' => Some('ک'),
            c if c.is_alphanumeric() => Some(c),
            _ => None,
        })
        .flat_map(char::to_lowercase)
        .collect()
}
