//! What starting the campaign would send: the message, the attachment, how
//! many recipients, a few of them with the exact text each gets, how many
//! different texts the message's choices can produce, and how long it will
//! take at the campaign's pace.

use super::{crud::RecipientCounts, owned, personal};
use crate::{
    error::ApiError,
    message::Template,
    repo::{
        attachments, attachments::AttachmentRecord, campaigns::CampaignRecord, recipients, recipients::RecipientRecord,
    },
    AppContext,
};

const SAMPLE_SIZE: u32 = 5;

pub struct Preview {
    pub campaign: CampaignRecord,
    pub attachment: Option<AttachmentRecord>,
    pub counts: RecipientCounts,
    pub sample: Vec<RecipientRecord>,
    /// (phone, text) of the sample recipients.
    pub samples: Vec<(String, String)>,
    pub variants: u64,
    /// The pending recipients times the interval.
    pub estimated_seconds: u64,
}

pub async fn preview(ctx: &AppContext, user_id: i64, id: i64) -> Result<Preview, ApiError> {
    let campaign = owned(&ctx.db, id, user_id).await?;
    // A malformed message is a 400 naming the position.
    let template = Template::parse(&campaign.message)?;
    let attachment = attachments::find_for_campaign(&ctx.db, id).await?;
    let counts = RecipientCounts::of(&ctx.db, id).await?;
    let sample = recipients::first(&ctx.db, id, SAMPLE_SIZE).await?;
    let estimated_seconds = counts.pending * campaign.interval.seconds();
    let samples = sample.iter().map(|r| (r.phone.clone(), personal::text_for(&campaign, Some(&template), r))).collect();
    let variants = template.variants();
    Ok(Preview { campaign, attachment, counts, sample, samples, variants, estimated_seconds })
}
