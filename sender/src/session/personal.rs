//! Just before a message leaves: numbers that opted out meanwhile are
//! dropped from the campaign, and the claimed recipient's own text is
//! rendered (placeholders, choices drawn from the recipient's id, the
//! opt-out footer) — the same text on every try and after any takeover.

use shared::{
    message::{personal_text, Template, Values},
    repo::{
        deliveries::{ClaimedRecipient, SendingCampaign},
        engagement, recipients,
    },
};

use crate::context::SenderContext;

/// Why a recipient that opted out after the import is not messaged.
pub const OPTED_OUT: &str = shared::excel::import::OPTED_OUT;

/// PENDING recipients now on the owner's suppression list are FAILED
/// ("opted out") before the next claim.
pub async fn drop_opted_out(ctx: &SenderContext, campaign_id: i64) -> anyhow::Result<()> {
    let mut conn = ctx.db.acquire().await?;
    let dropped = engagement::drop_opted_out(&mut conn, campaign_id, OPTED_OUT).await?;
    if dropped > 0 {
        tracing::info!(campaign.id = campaign_id, dropped, "opted-out recipients skipped");
    }
    Ok(())
}

/// The text `recipient` gets. A message that is not a valid template
/// (stored before templates existed) goes out as written.
pub async fn text_for(
    ctx: &SenderContext,
    campaign: &SendingCampaign,
    recipient: &ClaimedRecipient,
) -> anyhow::Result<String> {
    let Ok(template) = Template::parse(&campaign.message) else { return Ok(campaign.message.clone()) };
    let fields = engagement::personal_fields(&ctx.db, recipient.id).await?;
    let columns = recipients::variables(fields.as_ref().and_then(|f| f.variables.as_deref()));
    let footer = fields.is_some_and(|f| f.opt_out_footer);
    let values = Values { phone: &recipient.phone, name: recipient.name.as_deref(), columns: &columns };
    Ok(personal_text(&template, &values, recipient.id, footer))
}
