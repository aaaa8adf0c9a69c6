//! A campaign's message as each recipient gets it: the template parsed from
//! the stored message, checked against the imported list's headers, and
//! rendered per recipient (with the opt-out footer when asked for).

use crate::{
    error::ApiError,
    message::{personal_text, Template, Values},
    repo::{campaigns::CampaignRecord, recipients::RecipientRecord},
};

/// The campaign's message as a template. Messages stored before templates
/// existed may not parse; they are sent as written.
pub fn template_of(campaign: &CampaignRecord) -> Option<Template> {
    Template::parse(&campaign.message).ok()
}

/// The exact text `recipient` gets (or got).
pub fn text_for(campaign: &CampaignRecord, template: Option<&Template>, recipient: &RecipientRecord) -> String {
    let columns = recipient.variables();
    let values = Values { phone: &recipient.phone, name: recipient.name.as_deref(), columns: &columns };
    match template {
        Some(template) => personal_text(template, &values, recipient.id, campaign.opt_out_footer),
        None => campaign.message.clone(),
    }
}

/// The placeholders of the message that the list cannot fill (neither a
/// column nor a fallback).
pub fn unresolved_placeholders(campaign: &CampaignRecord) -> Vec<String> {
    template_of(campaign).map(|t| t.unresolved(&campaign.list_columns())).unwrap_or_default()
}

/// 422 naming every placeholder the list cannot fill: nothing is sent with
/// a hole in it.
pub fn ensure_resolvable(campaign: &CampaignRecord) -> Result<(), ApiError> {
    let missing = unresolved_placeholders(campaign);
    if missing.is_empty() {
        return Ok(());
    }
    let names: Vec<String> = missing.iter().map(|key| format!("{{{{{key}}}}}")).collect();
    Err(ApiError::BusinessRule {
        code: "UNRESOLVED_PLACEHOLDERS",
        message: format!(
            "The message uses {} with no column in the recipient list and no fallback; add the column or write {{{{name|fallback}}}}",
            names.join(", ")
        ),
    })
}
