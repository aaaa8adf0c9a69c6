//! Thin handlers over `shared::sessions`.

use axum::{extract::State, Json};
use chrono::SecondsFormat;
use serde::Deserialize;
use serde_json::{json, Value};
use shared::{
    domain::Phone,
    repo::campaigns::CampaignRecord,
    sessions::{self, QrAnswer, Starter},
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

pub async fn qr_code(State(ctx): State<AppContext>, user: CurrentUser, PathId(id): PathId) -> Answer {
    Ok(Json(match sessions::request_qr(&ctx, user.id, id).await? {
        QrAnswer::Qr(qr_code) => json!({ "success": true, "qrCode": qr_code, "isConnected": false }),
        QrAnswer::Connected => json!({
            "success": true, "qrCode": null, "isConnected": true, "message": "WhatsApp is already connected",
        }),
    }))
}

#[derive(Deserialize)]
pub struct PairingInput {
    phone: String,
}

/// "Link with phone number": the code to type on the phone of `phone`.
pub async fn pairing_code(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    PathId(id): PathId,
    JsonBody(input): JsonBody<PairingInput>,
) -> Answer {
    let phone =
        Phone::parse(&input.phone).map_err(|err| ApiError::field("phone", format!("The phone number {err}")))?;
    let code = sessions::request_pairing_code(&ctx, user.id, id, &phone).await?;
    Ok(Json(json!({
        "success": true,
        "code": code.code,
        "expiresAt": code.expires_at.to_rfc3339_opts(SecondsFormat::Millis, true),
    })))
}

pub async fn connection(State(ctx): State<AppContext>, user: CurrentUser, PathId(id): PathId) -> Answer {
    let (is_connected, last_activity) = sessions::connection(&ctx, user.id, id).await?;
    Ok(Json(json!({ "success": true, "isConnected": is_connected, "lastActivity": last_activity })))
}

pub async fn start(State(ctx): State<AppContext>, user: CurrentUser, PathId(id): PathId) -> Answer {
    let campaign = sessions::start(&ctx, id, Starter::User(user.id)).await?;
    Ok(Json(json!({ "success": true, "message": "Campaign started", "campaign": campaign_state(&campaign) })))
}

pub async fn pause(State(ctx): State<AppContext>, user: CurrentUser, PathId(id): PathId) -> Answer {
    let campaign = sessions::pause(&ctx, user.id, id).await?;
    Ok(Json(json!({ "success": true, "message": "Campaign paused", "campaign": campaign_state(&campaign) })))
}

pub async fn resume(State(ctx): State<AppContext>, user: CurrentUser, PathId(id): PathId) -> Answer {
    let campaign = sessions::resume(&ctx, user.id, id).await?;
    Ok(Json(json!({ "success": true, "message": "Campaign resumed", "campaign": campaign_state(&campaign) })))
}

pub async fn cleanup(State(ctx): State<AppContext>, user: CurrentUser, PathId(id): PathId) -> Answer {
    let campaign = sessions::cleanup(&ctx, user.id, id).await?;
    Ok(Json(json!({ "success": true, "message": "WhatsApp session closed", "campaign": campaign_state(&campaign) })))
}

pub async fn scheduled(State(ctx): State<AppContext>, user: CurrentUser) -> Answer {
    let campaigns = sessions::scheduled(&ctx, user.id).await?;
    Ok(Json(json!({ "success": true, "campaigns": campaigns.iter().map(campaign_state).collect::<Vec<_>>() })))
}

pub async fn cancel_schedule(State(ctx): State<AppContext>, user: CurrentUser, PathId(id): PathId) -> Answer {
    let campaign = sessions::cancel_schedule(&ctx, user.id, id).await?;
    Ok(Json(json!({ "success": true, "message": "Schedule cancelled", "campaign": campaign_state(&campaign) })))
}
