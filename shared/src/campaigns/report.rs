//! A campaign's figures, and the report workbooks (one campaign, or several
//! of the caller's at once). Figures are computed from the recipients
//! themselves, the source of truth, not from the counters the sender keeps.
//! Workbooks are built on a blocking thread; one too large for a Lambda
//! response is put under the caller's expiring `staging/` prefix and handed
//! out as a presigned link instead.

use std::time::Duration;

use serde::Deserialize;

use super::{crud::RecipientCounts, owned, staging::STAGING_PREFIX};
use crate::{
    error::ApiError,
    excel::{report_workbook, CampaignSheet, XLSX_CONTENT_TYPE},
    repo::{campaigns, campaigns::CampaignRecord, recipients, recipients::RecipientRecord},
    AppContext,
};

/// One workbook holds at most this many recipients (Excel's own limit is
/// 1,048,576 rows per sheet; memory is the real bound).
const MAX_WORKBOOK_RECIPIENTS: i64 = 1_000_000;
const MAX_CAMPAIGNS_PER_WORKBOOK: usize = 50;
const STORED_DOWNLOAD_TTL: Duration = Duration::from_secs(15 * 60);

#[derive(Debug, Clone, PartialEq)]
pub struct ReportFigures {
    pub total_recipients: u64,
    /// Messages that went out: SENT plus DELIVERED.
    pub sent: u64,
    pub delivered: u64,
    /// FAILED, including outcomes the sender could not know.
    pub failed: u64,
    pub pending: u64,
    /// Percentage of recipients the message went out to, two decimals.
    pub delivery_rate: f64,
    /// Mean seconds from sent to delivered, over delivered recipients.
    pub average_delivery_time: Option<f64>,
    pub status_counts: RecipientCounts,
    /// Recipients whose message shows as read (they count as delivered too).
    pub read: u64,
    /// Recipients who replied.
    pub replied: u64,
    /// Recipients whose reply put them on the suppression list.
    pub opted_out: u64,
}

impl ReportFigures {
    async fn of(ctx: &AppContext, campaign_id: i64) -> Result<Self, ApiError> {
        let counts = RecipientCounts::of(&ctx.db, campaign_id).await?;
        let average_delivery_time = recipients::average_delivery_seconds(&ctx.db, campaign_id).await?;
        let engagement = recipients::engagement(&ctx.db, campaign_id).await?;
        let sent = counts.sent + counts.delivered;
        let delivery_rate = match counts.total {
            0 => 0.0,
            total => (sent as f64 * 10_000.0 / total as f64).round() / 100.0,
        };
        Ok(Self {
            total_recipients: counts.total,
            sent,
            delivered: counts.delivered,
            failed: counts.failed,
            pending: counts.pending,
            delivery_rate,
            average_delivery_time,
            status_counts: counts,
            read: engagement.read,
            replied: engagement.replied,
            opted_out: engagement.opted_out,
        })
    }
}

pub struct CampaignReport {
    pub campaign: CampaignRecord,
    pub figures: ReportFigures,
}

pub async fn campaign_report(ctx: &AppContext, user_id: i64, id: i64) -> Result<CampaignReport, ApiError> {
    let campaign = owned(&ctx.db, id, user_id).await?;
    let figures = ReportFigures::of(ctx, id).await?;
    Ok(CampaignReport { campaign, figures })
}

/// A workbook to hand out: in the response, or stored behind a link.
pub enum Download {
    Inline { file_name: String, content_type: &'static str, bytes: Vec<u8> },
    Stored { url: String },
}

#[tracing::instrument(skip_all, fields(user.id = user_id, campaign.id = id))]
pub async fn download_report(ctx: &AppContext, user_id: i64, id: i64) -> Result<Download, ApiError> {
    let campaign = owned(&ctx.db, id, user_id).await?;
    workbook(ctx, user_id, vec![campaign], format!("campaign-{id}-report.xlsx")).await
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReportsInput {
    pub campaign_ids: Vec<i64>,
}

/// One workbook for several of the caller's campaigns; if any id is not
/// theirs the whole request is a 404.
#[tracing::instrument(skip_all, fields(user.id = user_id))]
pub async fn download_reports(ctx: &AppContext, user_id: i64, input: ReportsInput) -> Result<Download, ApiError> {
    let mut ids = input.campaign_ids;
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() || ids.len() > MAX_CAMPAIGNS_PER_WORKBOOK {
        return Err(ApiError::field("campaignIds", format!("must list 1 to {MAX_CAMPAIGNS_PER_WORKBOOK} campaigns")));
    }
    let found = campaigns::find_many_owned(&ctx.db, user_id, &ids).await?;
    if found.len() != ids.len() {
        return Err(super::not_found());
    }
    workbook(ctx, user_id, found, "campaigns-report.xlsx".to_owned()).await
}

async fn workbook(
    ctx: &AppContext,
    user_id: i64,
    found: Vec<CampaignRecord>,
    file_name: String,
) -> Result<Download, ApiError> {
    let total: i64 = found.iter().map(|c| i64::from(c.total_recipients)).sum();
    if total > MAX_WORKBOOK_RECIPIENTS {
        return Err(ApiError::BusinessRule {
            code: "REPORT_TOO_LARGE",
            message: format!("One workbook holds at most {MAX_WORKBOOK_RECIPIENTS} recipients; choose fewer campaigns"),
        });
    }
    let mut parts: Vec<(CampaignRecord, ReportFigures, Vec<RecipientRecord>)> = Vec::with_capacity(found.len());
    for campaign in found {
        let figures = ReportFigures::of(ctx, campaign.id).await?;
        let list = recipients::all(&ctx.db, campaign.id).await?;
        parts.push((campaign, figures, list));
    }
    let bytes = tokio::task::spawn_blocking(move || {
        let texts: Vec<Vec<String>> = parts
            .iter()
            .map(|(campaign, _, list)| {
                let template = super::personal::template_of(campaign);
                list.iter().map(|r| super::personal::text_for(campaign, template.as_ref(), r)).collect()
            })
            .collect();
        let sheets: Vec<CampaignSheet<'_>> = parts
            .iter()
            .zip(&texts)
            .map(|((campaign, figures, recipients), texts)| CampaignSheet { campaign, figures, recipients, texts })
            .collect();
        report_workbook(&sheets)
    })
    .await
    .map_err(ApiError::internal)?
    .map_err(ApiError::internal)?;
    if bytes.len() <= ctx.settings.campaigns.report_inline_max_bytes {
        return Ok(Download::Inline { file_name, content_type: XLSX_CONTENT_TYPE, bytes });
    }
    let key = format!("{STAGING_PREFIX}{user_id}/reports/{}.xlsx", uuid::Uuid::new_v4().simple());
    ctx.storage.put(&key, bytes, XLSX_CONTENT_TYPE).await.map_err(ApiError::internal)?;
    let url =
        ctx.storage.presigned_get(&key, STORED_DOWNLOAD_TTL, Some(&file_name)).await.map_err(ApiError::internal)?;
    Ok(Download::Stored { url })
}
