//! Linking WhatsApp for a campaign (QR code or pairing code) and reading
//! its connection: thin handlers over `shared::whatsapp`.

use axum::{
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
    Json,
};
use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use shared::{domain::Phone, realtime::QrCodePayload, whatsapp, ApiError, AppContext};
use utoipa::ToSchema;

use super::numbers::LinkQueue;
use crate::http::{CurrentUser, JsonBody, PathId};

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct QrAnswer {
    success: bool,
    /// Null when WhatsApp is already connected.
    qr_code: Option<QrCodePayload>,
    is_connected: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<&'static str>,
}

/// `202` of `qr-code`: no browser free now; the QR code follows as a
/// `qr_code` event, or look again after `retryAfterSeconds`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct QrQueuedAnswer {
    success: bool,
    /// Always `null` while queued.
    qr_code: Option<QrCodePayload>,
    /// Always `false` while queued.
    is_connected: bool,
    #[serde(flatten)]
    queue: LinkQueue,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PairingCodeAnswer {
    success: bool,
    /// Shown as on the page: `ABCD-EFGH`.
    #[schema(example = "ABCD-EFGH")]
    code: String,
    /// WhatsApp renews the code about every 3 minutes.
    #[schema(value_type = DateTime<Utc>)]
    expires_at: String,
}

/// `202` of `pairing-code`: no browser free now; the code follows as a
/// `pairing_code` event, or look again after `retryAfterSeconds`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PairingQueuedAnswer {
    success: bool,
    /// Always `null` while queued.
    #[schema(value_type = Option<String>)]
    code: Option<()>,
    /// Always `null` while queued.
    #[schema(value_type = Option<DateTime<Utc>>)]
    expires_at: Option<()>,
    #[serde(flatten)]
    queue: LinkQueue,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionAnswer {
    success: bool,
    is_connected: bool,
    last_activity: Option<DateTime<Utc>>,
}

#[utoipa::path(
    post,
    path = "/api/campaigns/{id}/qr-code",
    tag = "sessions",
    summary = "Start a WhatsApp session: a QR code to scan (new ones follow as `qr_code` events)",
    params(("id" = i64, Path, description = "The campaign's id")),
    responses(
        (status = 200, description = "A QR code, or already connected", body = QrAnswer),
        (status = 202, description = "Queued: no browser free; the QR follows as a `qr_code` event", body = QrQueuedAnswer),
        (status = 429, description = "Too many numbers being linked (`LINKING_LIMIT`) or link attempts (`RATE_LIMITED`)"),
    ),
    security(("bearer" = [])),
)]
pub async fn qr_code(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    PathId(id): PathId,
) -> Result<Response, ApiError> {
    let answer = |qr_code, is_connected, message| QrAnswer { success: true, qr_code, is_connected, message };
    Ok(match whatsapp::request_qr(&ctx, user.id, id).await? {
        whatsapp::QrAnswer::Qr(qr_code) => Json(answer(Some(qr_code), false, None)).into_response(),
        whatsapp::QrAnswer::Connected => {
            Json(answer(None, true, Some("WhatsApp is already connected"))).into_response()
        }
        whatsapp::QrAnswer::Queued(queued) => {
            let queue = LinkQueue::new(queued, "QR code");
            let answer = QrQueuedAnswer { success: true, qr_code: None, is_connected: false, queue };
            (StatusCode::ACCEPTED, Json(answer)).into_response()
        }
    })
}

#[derive(Deserialize, ToSchema)]
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
        (status = 200, description = "The code to type on the phone", body = PairingCodeAnswer),
        (status = 202, description = "Queued: no browser free; the code follows as a `pairing_code` event", body = PairingQueuedAnswer),
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
) -> Result<Response, ApiError> {
    let phone =
        Phone::parse(&input.phone).map_err(|err| ApiError::field("phone", format!("The phone number {err}")))?;
    Ok(match whatsapp::request_pairing_code(&ctx, user.id, id, &phone, input.otp.as_deref()).await? {
        whatsapp::PairingAnswer::Code { code, expires_at } => {
            let expires_at = expires_at.to_rfc3339_opts(SecondsFormat::Millis, true);
            Json(PairingCodeAnswer { success: true, code, expires_at }).into_response()
        }
        whatsapp::PairingAnswer::Queued(queued) => {
            let queue = LinkQueue::new(queued, "pairing code");
            let answer = PairingQueuedAnswer { success: true, code: None, expires_at: None, queue };
            (StatusCode::ACCEPTED, Json(answer)).into_response()
        }
    })
}

#[utoipa::path(
    get,
    path = "/api/campaigns/{id}/connection",
    tag = "sessions",
    summary = "Whether WhatsApp is connected",
    params(("id" = i64, Path, description = "The campaign's id")),
    responses((status = 200, description = "The connection state", body = ConnectionAnswer)),
    security(("bearer" = [])),
)]
pub async fn connection(
    State(ctx): State<AppContext>,
    user: CurrentUser,
    PathId(id): PathId,
) -> Result<Json<ConnectionAnswer>, ApiError> {
    let (is_connected, last_activity) = whatsapp::connection(&ctx, user.id, id).await?;
    Ok(Json(ConnectionAnswer { success: true, is_connected, last_activity }))
}
