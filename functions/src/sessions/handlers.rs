//! Thin handlers over `shared::sessions` and a campaign's life (`shared::campaigns::run`).

use axum::{extract::State, http::StatusCode, Json};
use chrono::SecondsFormat;
use serde::Deserialize;
use serde_json::{json, Value};
use shared::{
    campaigns::run::{self, Starter},
    domain::Phone,
    repo::campaigns::CampaignRecord,
    sessions::{self, PairingAnswer, QrAnswer},
    ApiError, AppContext,
};

use crate::http::{CurrentUser, JsonBody, PathId};

type Answer = Result<Json<Value>, ApiError>;

fn campaign_state(campaign: &CampaignRecord) -> Value {
    json!({
        "id": campaign.id,
        "title": campaign.title,
        "status": campaign.status,
        "isScheduled": campaign.is_scheduled,
        "scheduledAt": campaign.scheduled_at,
        "timezone": campaign.timezone,
        "sendType": campaign.send_type,
        "startedAt": campaign.started_at,
        "totalRecipients": campaign.total_recipients,
        "sentCount": campaign.sent_count,
        "failedCount": campaign.failed_count,
    })
}

#[utoipa::path(
    post,
    path = "/api/campaigns/{id}/qr-code",
    tag = "sessions",
    summary = "Start a WhatsApp session: a QR code to scan (new ones follow as `qr_code` events)",
    params(("id" = i64, Path, description = "The campaign's id")),
    responses(
        (status = 200, description = "A QR code, or already connected", body = crate::openapi::bodies::QrAnswer),
        (status = 202, description = "Queued: no browser free; the QR follows as a `qr_code` event", body = crate::openapi::bodies::LinkQueuedAnswer),
        (status = 429, description = "Too many numbers being linked (`LINKING_LIMIT`) or link attempts (`RATE_LIMITED`)"),
    ),
    security(("bearer" = [])),
)]
pub async fn qr_code(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    PathId(id): PathId,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    Ok(match sessions::request_qr(&ctx, user.id, id).await? {
        QrAnswer::Qr(qr_code) => {
            (StatusCode::OK, Json(json!({ "success": true, "qrCode": qr_code, "isConnected": false })))
        }
        QrAnswer::Connected => (
            StatusCode::OK,
            Json(json!({
                "success": true, "qrCode": null, "isConnected": true, "message": "WhatsApp is already connected",
            })),
        ),
        QrAnswer::Queued(queued) => queued_answer(queued, "QR code", json!({ "qrCode": null, "isConnected": false })),
    })
}

/// A 202 for a link request waiting for a browser, with the route's own
/// empty fields.
fn queued_answer(queued: sessions::Queued, what: &str, empty: Value) -> (StatusCode, Json<Value>) {
    let mut answer = super::accounts::queued_answer(queued, what);
    answer["success"] = json!(true);
    for (key, value) in empty.as_object().into_iter().flatten() {
        answer[key] = value.clone();
    }
    (StatusCode::ACCEPTED, Json(answer))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct PairingInput {
    /// The WhatsApp number to link, in any form the imports accept: your
    /// own (the phone you signed up with by SMS code), or one confirmed with `otp`.
    #[schema(example = "09123456789")]
    phone: String,
    /// The code `POST /api/whatsapp-accounts/pairing-otp` sent to `phone`,
    /// when it is not your own proven phone.
    #[schema(example = "123456")]
    otp: Option<String>,
}

/// "Link with phone number": the code to type on the phone of `phone`.
#[utoipa::path(
    post,
    path = "/api/campaigns/{id}/pairing-code",
    tag = "sessions",
    summary = "Link with a phone number: a code to type on the phone (renewals follow as `pairing_code` events)",
    request_body = PairingInput,
    params(("id" = i64, Path, description = "The campaign's id")),
    responses(
        (status = 200, description = "The code to type on the phone", body = crate::openapi::bodies::PairingCodeAnswer),
        (status = 202, description = "Queued: no browser free; the code follows as a `pairing_code` event", body = crate::openapi::bodies::LinkQueuedAnswer),
        (status = 403, description = "Not your number, or not confirmed (`PAIRING_PHONE_NOT_CONFIRMED`)"),
        (status = 429, description = "Too many pairing codes (`RATE_LIMITED`) or numbers being linked (`LINKING_LIMIT`)"),
    ),
    security(("bearer" = [])),
)]
pub async fn pairing_code(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    PathId(id): PathId,
    JsonBody(input): JsonBody<PairingInput>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let phone =
        Phone::parse(&input.phone).map_err(|err| ApiError::field("phone", format!("The phone number {err}")))?;
    Ok(match sessions::request_pairing_code(&ctx, user.id, id, &phone, input.otp.as_deref()).await? {
        PairingAnswer::Code { code, expires_at } => (
            StatusCode::OK,
            Json(json!({
                "success": true,
                "code": code,
                "expiresAt": expires_at.to_rfc3339_opts(SecondsFormat::Millis, true),
            })),
        ),
        PairingAnswer::Queued(queued) => {
            queued_answer(queued, "pairing code", json!({ "code": null, "expiresAt": null }))
        }
    })
}

#[utoipa::path(
    get,
    path = "/api/campaigns/{id}/connection",
    tag = "sessions",
    summary = "Whether WhatsApp is connected",
    params(("id" = i64, Path, description = "The campaign's id")),
    responses((status = 200, description = "The connection state", body = crate::openapi::bodies::ConnectionAnswer)),
    security(("bearer" = [])),
)]
pub async fn connection(State(ctx): State<AppContext>, user: CurrentUser, PathId(id): PathId) -> Answer {
    let (is_connected, last_activity) = sessions::connection(&ctx, user.id, id).await?;
    Ok(Json(json!({ "success": true, "isConnected": is_connected, "lastActivity": last_activity })))
}

#[utoipa::path(
    post,
    path = "/api/campaigns/{id}/start",
    tag = "sessions",
    summary = "Start now (needs subscription, quota, recipients, WhatsApp connected)",
    params(("id" = i64, Path, description = "The campaign's id")),
    responses((status = 200, description = "Started", body = crate::openapi::bodies::CampaignStateAnswer)),
    security(("bearer" = [])),
)]
pub async fn start(State(ctx): State<AppContext>, user: CurrentUser, PathId(id): PathId) -> Answer {
    let campaign = run::start(&ctx, id, Starter::User(user.id)).await?;
    Ok(Json(json!({ "success": true, "message": "Campaign started", "campaign": campaign_state(&campaign) })))
}

#[utoipa::path(
    post,
    path = "/api/campaigns/{id}/pause",
    tag = "sessions",
    summary = "Pause a running campaign",
    params(("id" = i64, Path, description = "The campaign's id")),
    responses((status = 200, description = "Paused", body = crate::openapi::bodies::CampaignStateAnswer)),
    security(("bearer" = [])),
)]
pub async fn pause(State(ctx): State<AppContext>, user: CurrentUser, PathId(id): PathId) -> Answer {
    let campaign = run::pause(&ctx, user.id, id).await?;
    Ok(Json(json!({ "success": true, "message": "Campaign paused", "campaign": campaign_state(&campaign) })))
}

#[utoipa::path(
    post,
    path = "/api/campaigns/{id}/resume",
    tag = "sessions",
    summary = "Resume a paused campaign",
    params(("id" = i64, Path, description = "The campaign's id")),
    responses((status = 200, description = "Resumed", body = crate::openapi::bodies::CampaignStateAnswer)),
    security(("bearer" = [])),
)]
pub async fn resume(State(ctx): State<AppContext>, user: CurrentUser, PathId(id): PathId) -> Answer {
    let campaign = run::resume(&ctx, user.id, id).await?;
    Ok(Json(json!({ "success": true, "message": "Campaign resumed", "campaign": campaign_state(&campaign) })))
}

#[utoipa::path(
    post,
    path = "/api/campaigns/{id}/cleanup-session",
    tag = "sessions",
    summary = "Force-close the campaign's WhatsApp session",
    params(("id" = i64, Path, description = "The campaign's id")),
    responses((status = 200, description = "Closed", body = crate::openapi::bodies::CampaignStateAnswer)),
    security(("bearer" = [])),
)]
pub async fn cleanup(State(ctx): State<AppContext>, user: CurrentUser, PathId(id): PathId) -> Answer {
    let campaign = run::detach(&ctx, user.id, id).await?;
    Ok(Json(json!({ "success": true, "message": "WhatsApp session closed", "campaign": campaign_state(&campaign) })))
}

#[utoipa::path(
    get,
    path = "/api/campaigns/scheduled",
    tag = "sessions",
    summary = "Own scheduled campaigns that have not started",
    responses((status = 200, description = "Scheduled campaigns", body = crate::openapi::bodies::ScheduledList)),
    security(("bearer" = [])),
)]
pub async fn scheduled(State(ctx): State<AppContext>, user: CurrentUser) -> Answer {
    let campaigns = sessions::scheduled(&ctx, user.id).await?;
    Ok(Json(json!({ "success": true, "campaigns": campaigns.iter().map(campaign_state).collect::<Vec<_>>() })))
}

#[utoipa::path(
    post,
    path = "/api/campaigns/{id}/cancel-schedule",
    tag = "sessions",
    summary = "Cancel a scheduled start (back to READY)",
    params(("id" = i64, Path, description = "The campaign's id")),
    responses((status = 200, description = "Cancelled", body = crate::openapi::bodies::CampaignStateAnswer)),
    security(("bearer" = [])),
)]
pub async fn cancel_schedule(State(ctx): State<AppContext>, user: CurrentUser, PathId(id): PathId) -> Answer {
    let campaign = sessions::cancel_schedule(&ctx, user.id, id).await?;
    Ok(Json(json!({ "success": true, "message": "Schedule cancelled", "campaign": campaign_state(&campaign) })))
}
