//! Thin handlers for creating, listing, reading, changing, deleting and
//! previewing campaigns.

use axum::{
    extract::State,
    response::{IntoResponse, Response},
    Json,
};
use serde_json::json;
use shared::{
    campaigns::{self, CreateCampaignInput, IntervalInput, ListCampaignsQuery, SendWindowInput, TitleInput},
    governor::estimate,
    ApiError, AppContext,
};

use super::views::{duration_text, AttachmentView, CampaignSummary, CampaignView, CountsView, RecipientView};
use crate::http::{layers::created, CurrentUser, JsonBody, PathId, QueryParams};

type Answer = Result<Response, ApiError>;

#[utoipa::path(
    post,
    path = "/api/campaigns",
    tag = "campaigns",
    summary = "Create a campaign (DRAFT)",
    request_body = shared::campaigns::CreateCampaignInput,
    responses((status = 201, description = "Created", body = crate::openapi::bodies::CampaignCreated)),
    security(("bearer" = [])),
)]
pub async fn create(
    State(ctx): State<AppContext>,
    caller: CurrentUser,
    JsonBody(input): JsonBody<CreateCampaignInput>,
) -> Answer {
    let campaign = campaigns::create(&ctx, caller.id, input).await?;
    Ok(created(Json(json!({
        "success": true,
        "message": "Campaign created",
        "campaign": CampaignSummary::from(&campaign),
    }))))
}

#[utoipa::path(
    get,
    path = "/api/campaigns",
    tag = "campaigns",
    summary = "The own campaigns, filtered and paged",
    params(shared::campaigns::ListCampaignsQuery),
    responses((status = 200, description = "A page of campaigns", body = crate::openapi::bodies::CampaignList)),
    security(("bearer" = [])),
)]
pub async fn list(
    State(ctx): State<AppContext>,
    caller: CurrentUser,
    QueryParams(query): QueryParams<ListCampaignsQuery>,
) -> Answer {
    let (items, pagination) = campaigns::list(&ctx, caller.id, query).await?;
    let items: Vec<CampaignView> = items.iter().map(CampaignView::from).collect();
    Ok(Json(json!({ "success": true, "campaigns": items, "pagination": pagination })).into_response())
}

#[utoipa::path(
    get,
    path = "/api/campaigns/{id}",
    tag = "campaigns",
    summary = "A campaign with its recipient counts, attachment and estimated finish",
    params(("id" = i64, Path, description = "The campaign's id")),
    responses((status = 200, description = "The campaign", body = crate::openapi::bodies::CampaignDetailsAnswer)),
    security(("bearer" = [])),
)]
pub async fn details(State(ctx): State<AppContext>, caller: CurrentUser, PathId(id): PathId) -> Answer {
    let details = campaigns::get_details(&ctx, caller.id, id).await?;
    let mut campaign = serde_json::to_value(CampaignView::from(&details.campaign)).map_err(ApiError::internal)?;
    campaign["recipientCounts"] = json!(CountsView::from(details.counts));
    campaign["attachment"] = json!(details.attachment.as_ref().map(AttachmentView::from));
    let finish = estimate::for_campaign(&ctx.db, &details.campaign, &ctx.settings.governor).await?;
    campaign["estimatedFinishAt"] = json!(finish);
    Ok(Json(json!({ "success": true, "campaign": campaign })).into_response())
}

#[utoipa::path(
    put,
    path = "/api/campaigns/{id}/title",
    tag = "campaigns",
    summary = "Rename a campaign",
    request_body = shared::campaigns::TitleInput,
    params(("id" = i64, Path, description = "The campaign's id")),
    responses((status = 200, description = "Renamed", body = crate::openapi::bodies::CampaignAnswer)),
    security(("bearer" = [])),
)]
pub async fn rename(
    State(ctx): State<AppContext>,
    caller: CurrentUser,
    PathId(id): PathId,
    JsonBody(input): JsonBody<TitleInput>,
) -> Answer {
    let campaign = campaigns::rename(&ctx, caller.id, id, input).await?;
    Ok(Json(json!({ "success": true, "message": "Title updated", "campaign": CampaignView::from(&campaign) }))
        .into_response())
}

#[utoipa::path(
    put,
    path = "/api/campaigns/{id}/interval",
    tag = "campaigns",
    summary = "Change the pause between messages (also while RUNNING)",
    request_body = shared::campaigns::IntervalInput,
    params(("id" = i64, Path, description = "The campaign's id")),
    responses((status = 200, description = "Changed", body = crate::openapi::bodies::CampaignAnswer)),
    security(("bearer" = [])),
)]
pub async fn set_interval(
    State(ctx): State<AppContext>,
    caller: CurrentUser,
    PathId(id): PathId,
    JsonBody(input): JsonBody<IntervalInput>,
) -> Answer {
    let campaign = campaigns::set_interval(&ctx, caller.id, id, input).await?;
    Ok(Json(json!({ "success": true, "message": "Interval updated", "campaign": CampaignView::from(&campaign) }))
        .into_response())
}

#[utoipa::path(
    put,
    path = "/api/campaigns/{id}/send-window",
    tag = "campaigns",
    summary = "Change the sending hours (also while RUNNING; null: any time)",
    request_body = shared::campaigns::SendWindowInput,
    params(("id" = i64, Path, description = "The campaign's id")),
    responses((status = 200, description = "Changed", body = crate::openapi::bodies::CampaignAnswer)),
    security(("bearer" = [])),
)]
pub async fn set_send_window(
    State(ctx): State<AppContext>,
    caller: CurrentUser,
    PathId(id): PathId,
    JsonBody(input): JsonBody<SendWindowInput>,
) -> Answer {
    let campaign = campaigns::set_send_window(&ctx, caller.id, id, input).await?;
    Ok(Json(json!({ "success": true, "message": "Sending hours updated", "campaign": CampaignView::from(&campaign) }))
        .into_response())
}

#[utoipa::path(
    delete,
    path = "/api/campaigns/{id}",
    tag = "campaigns",
    summary = "Delete a campaign (a running one is stopped first)",
    params(("id" = i64, Path, description = "The campaign's id")),
    responses((status = 200, description = "Deleted", body = crate::openapi::bodies::Done)),
    security(("bearer" = [])),
)]
pub async fn delete(State(ctx): State<AppContext>, caller: CurrentUser, PathId(id): PathId) -> Answer {
    campaigns::delete(&ctx, caller.id, id).await?;
    Ok(Json(json!({ "success": true, "message": "Campaign deleted" })).into_response())
}

#[utoipa::path(
    get,
    path = "/api/campaigns/{id}/preview",
    tag = "campaigns",
    summary = "What will be sent: message, attachment, recipients with their exact texts, variants, estimated finish",
    params(("id" = i64, Path, description = "The campaign's id")),
    responses((status = 200, description = "The preview", body = crate::openapi::bodies::PreviewAnswer)),
    security(("bearer" = [])),
)]
pub async fn preview(State(ctx): State<AppContext>, caller: CurrentUser, PathId(id): PathId) -> Answer {
    let preview = campaigns::preview(&ctx, caller.id, id).await?;
    let campaign = &preview.campaign;
    let sample: Vec<RecipientView> =
        preview.sample.iter().zip(&preview.samples).map(|(r, (_, text))| RecipientView::new(r, text.clone())).collect();
    let samples: Vec<_> = preview.samples.iter().map(|(phone, text)| json!({ "phone": phone, "text": text })).collect();
    Ok(Json(json!({
        "success": true,
        "preview": {
            "campaign": {
                "id": campaign.id,
                "title": campaign.title,
                "status": campaign.status,
                "interval": campaign.interval,
                "intervalSeconds": campaign.interval.seconds(),
                "isScheduled": campaign.is_scheduled,
                "scheduledAt": campaign.scheduled_at,
                "timezone": campaign.timezone,
            },
            "message": campaign.message,
            "attachment": preview.attachment.as_ref().map(AttachmentView::from),
            "recipientCount": preview.counts.total,
            "pendingCount": preview.counts.pending,
            "sampleRecipients": sample,
            "samples": samples,
            "variants": preview.variants,
            "estimatedDuration": {
                "seconds": preview.estimated_seconds,
                "text": duration_text(preview.estimated_seconds),
            },
            "estimatedFinishAt": preview.estimated_finish_at,
        },
    }))
    .into_response())
}
