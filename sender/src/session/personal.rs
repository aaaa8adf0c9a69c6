//! Just before a message leaves: the claimed recipient's own text is
//! rendered (placeholders, choices drawn from the recipient's id, the
//! opt-out footer) — the same text on every try and after any takeover.
//! Who is never messaged is the governor's (`governor::recipients`).

use shared::{
    message::{personal_text, Template, Values},
    repo::{
        deliveries::{NextRecipient, SendingCampaign},
        recipients,
    },
};

/// The text `recipient` gets. A message that is not a valid template
/// (stored before templates existed) goes out as written.
pub fn text_for(campaign: &SendingCampaign, recipient: &NextRecipient) -> String {
    let Ok(template) = Template::parse(&campaign.message) else { return campaign.message.clone() };
    let columns = recipients::variables(recipient.variables.as_deref());
    let values = Values { phone: &recipient.phone, name: recipient.name.as_deref(), columns: &columns };
    personal_text(&template, &values, recipient.id, recipient.opt_out_footer)
}
