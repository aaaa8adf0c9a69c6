//! Thin handlers for creating, listing, reading, changing, deleting and
//! previewing campaigns.

use axum::{
    extract::State,
    response::{IntoResponse, Response},
    Json,
};
use chrono::{DateTime, Utc};
use serde::Serialize;
use shared::{
    campaigns::{self, CreateCampaignInput, IntervalInput, ListCampaignsQuery, SendWindowInput, TitleInput},
    domain::{CampaignStatus, Interval, Pagination},
    governor::estimate,
    ApiError, AppContext,
};
use utoipa::ToSchema;

use super::views::{duration_text, AttachmentView, CampaignSummary, CampaignView, CountsView, RecipientView};
use crate::http::{
    layers::{created, Done},
    CurrentUser, JsonBody, PathId, QueryParams,
};

type Answer = Result<Response, ApiError>;

#[derive(Serialize, ToSchema)]
pub struct CampaignCreated<'a> {
    success: bool,
    message: &'static str,
    campaign: CampaignSummary<'a>,
}

#[derive(Serialize, ToSchema)]
pub struct CampaignList<'a> {
    success: bool,
    campaigns: Vec<CampaignView<'a>>,
    pagination: Pagination,
}

#[derive(Serialize, ToSchema)]
pub struct CampaignAnswer<'a> {
    success: bool,
    message: &'static str,
    campaign: CampaignView<'a>,
}

impl<'a> CampaignAnswer<'a> {
    fn answer(message: &'static str, campaign: &'a shared::repo::campaigns::CampaignRecord) -> Response {
        Json(CampaignAnswer { success: true, message, campaign: CampaignView::from(campaign) }).into_response()
    }
}

/// A campaign with its recipient counts and attachment.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CampaignDetails<'a> {
    #[schema(inline)]
    #[serde(flatten)]
    campaign: CampaignView<'a>,
    recipient_counts: CountsView,
    attachment: Option<AttachmentView<'a>>,
    /// When the last pending message will have left under the send
    /// governor's limits (sending hours, hourly and daily caps, warm-up, the
    /// cold budget, WhatsApp's timelock and quota, pauses); a campaign not
    /// yet on a number is estimated as on a brand-new one, a PAUSED one as
    /// if resumed now. `null` when nothing is pending or the campaign is over.
    estimated_finish_at: Option<DateTime<Utc>>,
}

#[derive(Serialize, ToSchema)]
pub struct CampaignDetailsAnswer<'a> {
    success: bool,
    campaign: CampaignDetails<'a>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PreviewCampaign<'a> {
    id: i64,
    title: Option<&'a str>,
    status: CampaignStatus,
    interval: Interval,
    interval_seconds: u64,
    is_scheduled: bool,
    scheduled_at: Option<DateTime<Utc>>,
    timezone: &'a str,
}

#[derive(Serialize, ToSchema)]
pub struct EstimatedDuration {
    seconds: u64,
    /// In words, e.g. `1h 5m`.
    text: String,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Preview<'a> {
    campaign: PreviewCampaign<'a>,
    message: &'a str,
    attachment: Option<AttachmentView<'a>>,
    recipient_count: u64,
    pending_count: u64,
    sample_recipients: Vec<RecipientView<'a>>,
    /// The exact text of the first recipients.
    samples: Vec<PreviewSample<'a>>,
    /// How many different texts the message's choices can produce.
    variants: u64,
    /// From now until `estimatedFinishAt` (0 when that is `null`).
    estimated_duration: EstimatedDuration,
    /// As in the campaign's details: when the last pending message will
    /// have left under the send governor's limits.
    estimated_finish_at: Option<DateTime<Utc>>,
}

#[derive(Serialize, ToSchema)]
pub struct PreviewSample<'a> {
    phone: &'a str,
    text: &'a str,
}

#[derive(Serialize, ToSchema)]
pub struct PreviewAnswer<'a> {
    success: bool,
    preview: Preview<'a>,
}

#[utoipa::path(
    post,
    path = "/api/campaigns",
    tag = "campaigns",
    summary = "Create a campaign (DRAFT)",
    request_body = shared::campaigns::CreateCampaignInput,
    responses((status = 201, description = "Created", body = CampaignCreated<'static>)),
    security(("bearer" = [])),
)]
pub async fn create(
    State(ctx): State<AppContext>,
    caller: CurrentUser,
    JsonBody(input): JsonBody<CreateCampaignInput>,
) -> Answer {
    let campaign = campaigns::create(&ctx, caller.id, input).await?;
    Ok(created(Json(CampaignCreated {
        success: true,
        message: "Campaign created",
        campaign: CampaignSummary::from(&campaign),
    })))
}

#[utoipa::path(
    get,
    path = "/api/campaigns",
    tag = "campaigns",
    summary = "The own campaigns, filtered and paged",
    params(shared::campaigns::ListCampaignsQuery),
    responses((status = 200, description = "A page of campaigns", body = CampaignList<'static>)),
    security(("bearer" = [])),
)]
pub async fn list(
    State(ctx): State<AppContext>,
    caller: CurrentUser,
    QueryParams(query): QueryParams<ListCampaignsQuery>,
) -> Answer {
    let (items, pagination) = campaigns::list(&ctx, caller.id, query).await?;
    let campaigns = items.iter().map(CampaignView::from).collect();
    Ok(Json(CampaignList { success: true, campaigns, pagination }).into_response())
}

#[utoipa::path(
    get,
    path = "/api/campaigns/{id}",
    tag = "campaigns",
    summary = "A campaign with its recipient counts, attachment and estimated finish",
    params(("id" = i64, Path, description = "The campaign's id")),
    responses((status = 200, description = "The campaign", body = CampaignDetailsAnswer<'static>)),
    security(("bearer" = [])),
)]
pub async fn details(State(ctx): State<AppContext>, caller: CurrentUser, PathId(id): PathId) -> Answer {
    let details = campaigns::get_details(&ctx, caller.id, id).await?;
    let finish = estimate::for_campaign(&ctx.db, &details.campaign, &ctx.settings.governor).await?;
    let campaign = CampaignDetails {
        campaign: CampaignView::from(&details.campaign),
        recipient_counts: CountsView::from(details.counts),
        attachment: details.attachment.as_ref().map(AttachmentView::from),
        estimated_finish_at: finish,
    };
    Ok(Json(CampaignDetailsAnswer { success: true, campaign }).into_response())
}

#[utoipa::path(
    put,
    path = "/api/campaigns/{id}/title",
    tag = "campaigns",
    summary = "Rename a campaign",
    request_body = shared::campaigns::TitleInput,
    params(("id" = i64, Path, description = "The campaign's id")),
    responses((status = 200, description = "Renamed", body = CampaignAnswer<'static>)),
    security(("bearer" = [])),
)]
pub async fn rename(
    State(ctx): State<AppContext>,
    caller: CurrentUser,
    PathId(id): PathId,
    JsonBody(input): JsonBody<TitleInput>,
) -> Answer {
    let campaign = campaigns::rename(&ctx, caller.id, id, input).await?;
    Ok(CampaignAnswer::answer("Title updated", &campaign))
}

#[utoipa::path(
    put,
    path = "/api/campaigns/{id}/interval",
    tag = "campaigns",
    summary = "Change the pause between messages (also while RUNNING)",
    request_body = shared::campaigns::IntervalInput,
    params(("id" = i64, Path, description = "The campaign's id")),
    responses((status = 200, description = "Changed", body = CampaignAnswer<'static>)),
    security(("bearer" = [])),
)]
pub async fn set_interval(
    State(ctx): State<AppContext>,
    caller: CurrentUser,
    PathId(id): PathId,
    JsonBody(input): JsonBody<IntervalInput>,
) -> Answer {
    let campaign = campaigns::set_interval(&ctx, caller.id, id, input).await?;
    Ok(CampaignAnswer::answer("Interval updated", &campaign))
}

#[utoipa::path(
    put,
    path = "/api/campaigns/{id}/send-window",
    tag = "campaigns",
    summary = "Change the sending hours (also while RUNNING; null: any time)",
    request_body = shared::campaigns::SendWindowInput,
    params(("id" = i64, Path, description = "The campaign's id")),
    responses((status = 200, description = "Changed", body = CampaignAnswer<'static>)),
    security(("bearer" = [])),
)]
pub async fn set_send_window(
    State(ctx): State<AppContext>,
    caller: CurrentUser,
    PathId(id): PathId,
    JsonBody(input): JsonBody<SendWindowInput>,
) -> Answer {
    let campaign = campaigns::set_send_window(&ctx, caller.id, id, input).await?;
    Ok(CampaignAnswer::answer("Sending hours updated", &campaign))
}

#[utoipa::path(
    delete,
    path = "/api/campaigns/{id}",
    tag = "campaigns",
    summary = "Delete a campaign (a running one is stopped first)",
    params(("id" = i64, Path, description = "The campaign's id")),
    responses((status = 200, description = "Deleted", body = Done)),
    security(("bearer" = [])),
)]
pub async fn delete(State(ctx): State<AppContext>, caller: CurrentUser, PathId(id): PathId) -> Answer {
    campaigns::delete(&ctx, caller.id, id).await?;
    Ok(Done::answer("Campaign deleted"))
}

#[utoipa::path(
    get,
    path = "/api/campaigns/{id}/preview",
    tag = "campaigns",
    summary = "What will be sent: message, attachment, recipients with their exact texts, variants, estimated finish",
    params(("id" = i64, Path, description = "The campaign's id")),
    responses((status = 200, description = "The preview", body = PreviewAnswer<'static>)),
    security(("bearer" = [])),
)]
pub async fn preview(State(ctx): State<AppContext>, caller: CurrentUser, PathId(id): PathId) -> Answer {
    let preview = campaigns::preview(&ctx, caller.id, id).await?;
    let campaign = &preview.campaign;
    let sample_recipients =
        preview.sample.iter().zip(&preview.samples).map(|(r, (_, text))| RecipientView::new(r, text.clone())).collect();
    let samples = preview.samples.iter().map(|(phone, text)| PreviewSample { phone, text }).collect();
    let preview = Preview {
        campaign: PreviewCampaign {
            id: campaign.id,
            title: campaign.title.as_deref(),
            status: campaign.status,
            interval: campaign.interval,
            interval_seconds: campaign.interval.seconds(),
            is_scheduled: campaign.is_scheduled,
            scheduled_at: campaign.scheduled_at,
            timezone: &campaign.timezone,
        },
        message: &campaign.message,
        attachment: preview.attachment.as_ref().map(AttachmentView::from),
        recipient_count: preview.counts.total,
        pending_count: preview.counts.pending,
        sample_recipients,
        samples,
        variants: preview.variants,
        estimated_duration: EstimatedDuration {
            seconds: preview.estimated_seconds,
            text: duration_text(preview.estimated_seconds),
        },
        estimated_finish_at: preview.estimated_finish_at,
    };
    Ok(Json(PreviewAnswer { success: true, preview }).into_response())
}
