//! A campaign's life as the user drives it: start, pause, resume, detach
//! its WhatsApp session, and scheduled starts — thin handlers over
//! `shared::campaigns::run` and `shared::campaigns::schedule`.

use axum::{extract::State, Json};
use chrono::{DateTime, Utc};
use serde::Serialize;
use shared::{
    campaigns::{
        run::{self, Starter},
        schedule,
    },
    domain::{CampaignStatus, SendType},
    repo::campaigns::CampaignRecord,
    ApiError, AppContext,
};
use utoipa::ToSchema;

use crate::http::{CurrentUser, PathId};

type Answer = Result<Json<CampaignStateAnswer>, ApiError>;

/// A campaign's sending state, as the session routes answer it.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CampaignState {
    id: i64,
    title: Option<String>,
    status: CampaignStatus,
    is_scheduled: bool,
    scheduled_at: Option<DateTime<Utc>>,
    timezone: String,
    send_type: SendType,
    started_at: Option<DateTime<Utc>>,
    total_recipients: i32,
    sent_count: i32,
    failed_count: i32,
}

impl From<CampaignRecord> for CampaignState {
    fn from(campaign: CampaignRecord) -> Self {
        Self {
            id: campaign.id,
            title: campaign.title,
            status: campaign.status,
            is_scheduled: campaign.is_scheduled,
            scheduled_at: campaign.scheduled_at,
            timezone: campaign.timezone,
            send_type: campaign.send_type,
            started_at: campaign.started_at,
            total_recipients: campaign.total_recipients,
            sent_count: campaign.sent_count,
            failed_count: campaign.failed_count,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CampaignStateAnswer {
    success: bool,
    message: &'static str,
    campaign: CampaignState,
}

impl CampaignStateAnswer {
    fn answer(message: &'static str, campaign: CampaignRecord) -> Answer {
        Ok(Json(CampaignStateAnswer { success: true, message, campaign: campaign.into() }))
    }
}

#[derive(Serialize, ToSchema)]
pub struct ScheduledList {
    success: bool,
    campaigns: Vec<CampaignState>,
}

#[utoipa::path(
    post,
    path = "/api/campaigns/{id}/start",
    tag = "sessions",
    summary = "Start now (needs subscription, quota, recipients, WhatsApp connected)",
    params(("id" = i64, Path, description = "The campaign's id")),
    responses((status = 200, description = "Started", body = CampaignStateAnswer)),
    security(("bearer" = [])),
)]
pub async fn start(State(ctx): State<AppContext>, user: CurrentUser, PathId(id): PathId) -> Answer {
    let campaign = run::start(&ctx, id, Starter::User(user.id)).await?;
    CampaignStateAnswer::answer("Campaign started", campaign)
}

#[utoipa::path(
    post,
    path = "/api/campaigns/{id}/pause",
    tag = "sessions",
    summary = "Pause a running campaign",
    params(("id" = i64, Path, description = "The campaign's id")),
    responses((status = 200, description = "Paused", body = CampaignStateAnswer)),
    security(("bearer" = [])),
)]
pub async fn pause(State(ctx): State<AppContext>, user: CurrentUser, PathId(id): PathId) -> Answer {
    let campaign = run::pause(&ctx, user.id, id).await?;
    CampaignStateAnswer::answer("Campaign paused", campaign)
}

#[utoipa::path(
    post,
    path = "/api/campaigns/{id}/resume",
    tag = "sessions",
    summary = "Resume a paused campaign",
    params(("id" = i64, Path, description = "The campaign's id")),
    responses((status = 200, description = "Resumed", body = CampaignStateAnswer)),
    security(("bearer" = [])),
)]
pub async fn resume(State(ctx): State<AppContext>, user: CurrentUser, PathId(id): PathId) -> Answer {
    let campaign = run::resume(&ctx, user.id, id).await?;
    CampaignStateAnswer::answer("Campaign resumed", campaign)
}

#[utoipa::path(
    post,
    path = "/api/campaigns/{id}/cleanup-session",
    tag = "sessions",
    summary = "Force-close the campaign's WhatsApp session",
    params(("id" = i64, Path, description = "The campaign's id")),
    responses((status = 200, description = "Closed", body = CampaignStateAnswer)),
    security(("bearer" = [])),
)]
pub async fn cleanup(State(ctx): State<AppContext>, user: CurrentUser, PathId(id): PathId) -> Answer {
    let campaign = run::detach(&ctx, user.id, id).await?;
    CampaignStateAnswer::answer("WhatsApp session closed", campaign)
}

#[utoipa::path(
    get,
    path = "/api/campaigns/scheduled",
    tag = "sessions",
    summary = "Own scheduled campaigns that have not started",
    responses((status = 200, description = "Scheduled campaigns", body = ScheduledList)),
    security(("bearer" = [])),
)]
pub async fn scheduled(State(ctx): State<AppContext>, user: CurrentUser) -> Result<Json<ScheduledList>, ApiError> {
    let campaigns = schedule::scheduled(&ctx, user.id).await?;
    Ok(Json(ScheduledList { success: true, campaigns: campaigns.into_iter().map(CampaignState::from).collect() }))
}

#[utoipa::path(
    post,
    path = "/api/campaigns/{id}/cancel-schedule",
    tag = "sessions",
    summary = "Cancel a scheduled start (back to READY)",
    params(("id" = i64, Path, description = "The campaign's id")),
    responses((status = 200, description = "Cancelled", body = CampaignStateAnswer)),
    security(("bearer" = [])),
)]
pub async fn cancel_schedule(State(ctx): State<AppContext>, user: CurrentUser, PathId(id): PathId) -> Answer {
    let campaign = schedule::cancel_schedule(&ctx, user.id, id).await?;
    CampaignStateAnswer::answer("Schedule cancelled", campaign)
}
