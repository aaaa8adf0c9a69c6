//! Personal messages: a campaign's message is a template with placeholders
//! (`{{name}}`, `{{<any column header>}}`, `{{name|fallback}}`) and spintax
//! (`{سلام|درود}`, nested). It is parsed once into a tree ([`Template`]),
//! checked against a list's headers, and rendered per recipient with the
//! choices drawn from the recipient's id, so the same recipient always gets
//! the same text (across retries and sender takeovers). Also here: the
//! opt-out footer and the keywords that make a reply an opt-out.
//!
//! Nothing here touches the database.

mod opt_out;
mod parse;
mod render;

pub use opt_out::{is_opt_out, OptOutKeywords, DEFAULT_OPT_OUT_KEYWORDS, OPT_OUT_FOOTER};
pub use parse::{Node, Placeholder, TemplateError, MAX_CHARS, MAX_DEPTH};
pub use render::Values;

use crate::{error::ApiError, excel::headers};

/// A parsed message template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    nodes: Vec<Node>,
}

impl Template {
    pub fn parse(source: &str) -> Result<Self, TemplateError> {
        parse::parse(source).map(|nodes| Self { nodes })
    }

    /// Every placeholder, in reading order, once per key as matched.
    pub fn placeholders(&self) -> Vec<&Placeholder> {
        let mut all = Vec::new();
        render::collect_placeholders(&self.nodes, &mut all);
        let mut seen = std::collections::HashSet::new();
        all.retain(|p| seen.insert(headers::normalize(&p.key)));
        all
    }

    /// The placeholders that have neither a column among `columns` (a
    /// list's headers), nor a fallback, nor a built-in meaning (name,
    /// phone). Each key once, as written.
    pub fn unresolved(&self, columns: &[String]) -> Vec<String> {
        let mut all = Vec::new();
        render::collect_placeholders(&self.nodes, &mut all);
        let mut missing: Vec<String> = Vec::new();
        for placeholder in all {
            let known = headers::is_name_header(&placeholder.key)
                || headers::is_phone_header(&placeholder.key)
                || columns.iter().any(|c| headers::same_header(c, &placeholder.key));
            // A key used once with a fallback and once without is missing.
            if !known
                && placeholder.fallback.is_none()
                && !missing.iter().any(|m| headers::same_header(m, &placeholder.key))
            {
                missing.push(placeholder.key.clone());
            }
        }
        missing
    }

    /// The text one recipient gets; `seed` is the recipient's id.
    pub fn render(&self, values: &Values<'_>, seed: u64) -> String {
        let mut out = String::new();
        render::render(&self.nodes, values, seed, &mut out);
        out
    }

    /// How many different texts the choices can produce (placeholders held
    /// fixed): exact up to a few thousand, an upper bound beyond.
    pub fn variants(&self) -> u64 {
        render::variants(&self.nodes)
    }
}

/// The text a recipient gets: the template rendered, and the opt-out
/// footer after it when the campaign asks for one.
pub fn personal_text(template: &Template, values: &Values<'_>, seed: i64, footer: bool) -> String {
    let mut text = template.render(values, seed as u64);
    if footer {
        text.push_str("\n\n");
        text.push_str(OPT_OUT_FOOTER);
    }
    text
}

impl From<TemplateError> for ApiError {
    fn from(err: TemplateError) -> Self {
        ApiError::field("message", format!("The message {err}"))
    }
}

#[cfg(test)]
mod tests;
