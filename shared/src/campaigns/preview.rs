//! What starting the campaign would send: the message, the attachment, how
//! many recipients, a few of them with the exact text each gets, how many
//! different texts the message's choices can produce, and when it will
//! finish under the send governor's limits (`governor::estimate`).

use chrono::{DateTime, Utc};

use super::{crud::RecipientCounts, owned, personal};
use crate::{
    error::ApiError,
    governor::estimate,
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
    /// When the last pending message will have left (`None`: nothing
    /// pending, the campaign is over, or the limits never let it finish).
    pub estimated_finish_at: Option<DateTime<Utc>>,
    /// From now until then.
    pub estimated_seconds: u64,
}

pub async fn preview(ctx: &AppContext, user_id: i64, id: i64) -> Result<Preview, ApiError> {
    let campaign = owned(&ctx.db, id, user_id).await?;
    // A malformed message is a 400 naming the position.
    let template = Template::parse(&campaign.message)?;
    let attachment = attachments::find_for_campaign(&ctx.db, id).await?;
    let counts = RecipientCounts::of(&ctx.db, id).await?;
    let sample = recipients::first(&ctx.db, id, SAMPLE_SIZE).await?;
    let estimated_finish_at = estimate::for_campaign(&ctx.db, &campaign, &ctx.settings.governor).await?;
    let estimated_seconds = estimated_finish_at.map_or(0, |finish| (finish - Utc::now()).num_seconds().max(0) as u64);
    let samples = sample.iter().map(|r| (r.phone.clone(), personal::text_for(&campaign, Some(&template), r))).collect();
    let variants = template.variants();
    Ok(Preview { campaign, attachment, counts, sample, samples, variants, estimated_finish_at, estimated_seconds })
}
