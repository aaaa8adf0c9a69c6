//! What starting the campaign would send: the message, the attachment, how
//! many recipients, a few of them, and how long it will take at the
//! campaign's pace.

use super::{crud::RecipientCounts, owned};
use crate::{
    error::ApiError,
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
    /// The pending recipients times the interval.
    pub estimated_seconds: u64,
}

pub async fn preview(ctx: &AppContext, user_id: i64, id: i64) -> Result<Preview, ApiError> {
    let campaign = owned(&ctx.db, id, user_id).await?;
    let attachment = attachments::find_for_campaign(&ctx.db, id).await?;
    let counts = RecipientCounts::of(&ctx.db, id).await?;
    let sample = recipients::first(&ctx.db, id, SAMPLE_SIZE).await?;
    let estimated_seconds = counts.pending * campaign.interval.seconds();
    Ok(Preview { campaign, attachment, counts, sample, estimated_seconds })
}
