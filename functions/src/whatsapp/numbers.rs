//! `/api/whatsapp-accounts`: the caller's WhatsApp numbers. A number is
//! linked once and every campaign sending from it reuses its session: link
//! a new one, list them with their connection state and the send governor's
//! figures, read one, remove one (logged out on WhatsApp).

use axum::{
    body::Bytes,
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
    Json,
};
use chrono::SecondsFormat;
use serde::{Deserialize, Serialize};
use shared::{
    domain::Phone,
    governor::numbers::{self as summaries, AccountSummary},
    realtime::QrCodePayload,
    repo::whatsapp_accounts::AccountRow,
    validation::parse_json,
    whatsapp::{numbers, Queued, Shown},
    ApiError, AppContext,
};
use utoipa::ToSchema;

use crate::{
    auth::handlers::OtpSent,
    http::{CurrentUser, JsonBody, PathId},
};

/// `GET /api/whatsapp-accounts`.
#[derive(Serialize, ToSchema)]
pub struct WhatsAppAccountsAnswer {
    success: bool,
    accounts: Vec<AccountSummary>,
}

/// `201` of `POST /api/whatsapp-accounts`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LinkingAnswer {
    success: bool,
    account: AccountSummary,
    /// The QR code to scan, if a sender showed one within the wait.
    qr_code: Option<QrCodePayload>,
    /// With `phone`: the code to type on the phone, if shown within the wait.
    pairing_code: Option<LinkingPairingCode>,
    message: &'static str,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LinkingPairingCode {
    #[schema(example = "ABCD-EFGH")]
    code: String,
    #[schema(value_type = chrono::DateTime<chrono::Utc>)]
    expires_at: String,
}

/// `202` of `POST /api/whatsapp-accounts`: every browser of the fleet is
/// busy (linking or sending); the code follows as a `qr_code` /
/// `pairing_code` event.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LinkingQueuedAnswer {
    success: bool,
    account: AccountSummary,
    /// Always `null` while queued.
    qr_code: Option<QrCodePayload>,
    /// Always `null` while queued.
    pairing_code: Option<LinkingPairingCode>,
    #[serde(flatten)]
    queue: LinkQueue,
}

/// A link request waiting for a browser (`202`): no browser free now; the
/// code follows as an event, or look again after `retryAfterSeconds`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LinkQueue {
    /// Always `true`.
    queued: bool,
    /// 1: the next to get a browser.
    #[schema(minimum = 1)]
    position: i64,
    retry_after_seconds: u64,
    message: String,
}

impl LinkQueue {
    pub(crate) fn new(queued: Queued, what: &str) -> Self {
        Self {
            queued: true,
            position: queued.position,
            retry_after_seconds: queued.retry_after_secs,
            message: format!(
                "Every browser is busy; you are number {} in line. The {what} will arrive over the WebSocket",
                queued.position
            ),
        }
    }
}

/// `GET /api/whatsapp-accounts/{id}`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WhatsAppAccountAnswer {
    success: bool,
    account: AccountSummary,
    /// While linking: the QR code the session shows.
    qr_code: Option<QrCodePayload>,
}

/// `DELETE /api/whatsapp-accounts/{id}`.
#[derive(Serialize, ToSchema)]
pub struct WhatsAppAccountRemoved {
    success: bool,
    message: &'static str,
    account: AccountSummary,
}

async fn summary(ctx: &AppContext, account: AccountRow) -> Result<AccountSummary, ApiError> {
    Ok(summaries::summary(&ctx.db, account, &ctx.settings.governor).await?)
}

#[utoipa::path(
    get,
    path = "/api/whatsapp-accounts",
    tag = "sessions",
    summary = "Your WhatsApp numbers: link state, this hour's and today's sends (all campaigns), the caps in force, warm-up, restriction, last breaker trip",
    responses((status = 200, description = "The accounts", body = WhatsAppAccountsAnswer)),
    security(("bearer" = [])),
)]
pub async fn list(
    State(ctx): State<AppContext>,
    caller: CurrentUser,
) -> Result<Json<WhatsAppAccountsAnswer>, ApiError> {
    let accounts = summaries::owned(&ctx.db, caller.id, &ctx.settings.governor).await?;
    Ok(Json(WhatsAppAccountsAnswer { success: true, accounts }))
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct LinkInput {
    /// Link with a pairing code for this number instead of a QR code: only
    /// your own number (the phone you signed up with by SMS code, or one
    /// confirmed with `otp`).
    #[schema(example = "09123456789")]
    phone: Option<String>,
    /// The code `POST /api/whatsapp-accounts/pairing-otp` sent to `phone`,
    /// when it is not your own proven phone.
    #[schema(example = "123456")]
    otp: Option<String>,
}

/// Starts linking a new number. The answer carries the first QR code (or
/// pairing code) if a sender showed it within the wait (201); when every
/// browser of the fleet is busy it answers at once with the place in the
/// queue (202), and the code follows as a `qr_code` / `pairing_code` event
/// to sockets that subscribed with `{"type":"subscribe","accountId":N}`.
#[utoipa::path(
    post,
    path = "/api/whatsapp-accounts",
    tag = "sessions",
    summary = "Link a new WhatsApp number: a QR code to scan (or, with `phone`, a pairing code); renewals follow as events",
    request_body(content = LinkInput, description = "Optional: `{}` or no body for a QR code"),
    responses(
        (status = 201, description = "The account being linked, with its code", body = LinkingAnswer),
        (status = 202, description = "Queued: no browser free; the code follows as an event", body = LinkingQueuedAnswer),
        (status = 403, description = "A pairing code for a number not confirmed as yours (`PAIRING_PHONE_NOT_CONFIRMED`)"),
        (status = 429, description = "Too many numbers being linked (`LINKING_LIMIT`) or link attempts (`RATE_LIMITED`)"),
    ),
    security(("bearer" = [])),
)]
pub async fn link(State(ctx): State<AppContext>, caller: CurrentUser, body: Bytes) -> Result<Response, ApiError> {
    let input: LinkInput =
        if body.iter().all(u8::is_ascii_whitespace) { LinkInput::default() } else { parse_json(&body)? };
    let phone = input.phone.as_deref().map(parse_phone).transpose()?;
    let pairing = phone.as_ref().map(|phone| (phone, input.otp.as_deref()));
    let linking = numbers::link_new(&ctx, caller.id, pairing).await?;
    let account = summary(&ctx, linking.account).await?;
    let (qr_code, pairing_code, message) = match linking.shown {
        Shown::Queued(queued) => {
            let queue = LinkQueue::new(queued, "code");
            let answer = LinkingQueuedAnswer { success: true, account, qr_code: None, pairing_code: None, queue };
            return Ok((StatusCode::ACCEPTED, Json(answer)).into_response());
        }
        Shown::Qr(qr_code) => (Some(qr_code), None, "Scan the QR code: WhatsApp › Linked devices › Link a device"),
        Shown::PairingCode { code, expires_at } => (
            None,
            Some(LinkingPairingCode { code, expires_at: expires_at.to_rfc3339_opts(SecondsFormat::Millis, true) }),
            "Type the code on the phone: WhatsApp › Linked devices › Link with phone number",
        ),
        Shown::Connected => (None, None, "WhatsApp connected"),
        Shown::PairingRefused => {
            return Err(ApiError::Unavailable("WhatsApp Web could not show a pairing code; try the QR code".into()))
        }
    };
    let answer = LinkingAnswer { success: true, account, qr_code, pairing_code, message };
    Ok((StatusCode::CREATED, Json(answer)).into_response())
}

fn parse_phone(raw: &str) -> Result<Phone, ApiError> {
    Phone::parse(raw).map_err(|err| ApiError::field("phone", format!("The phone number {err}")))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct PairingOtpInput {
    /// The number a pairing code will be asked for.
    #[schema(example = "09123456789")]
    phone: String,
}

/// A pairing code links whichever phone types it, so one for a number other
/// than your own proven phone needs proof you hold it: this sends it a
/// one-time code by SMS, which goes along with the pairing request as `otp`.
#[utoipa::path(
    post,
    path = "/api/whatsapp-accounts/pairing-otp",
    tag = "sessions",
    summary = "Confirm a number for a pairing code: a one-time code by SMS to it, sent back as `otp`",
    request_body = PairingOtpInput,
    responses(
        (status = 200, description = "The code was sent", body = OtpSent),
        (status = 429, description = "Too many codes (`RATE_LIMITED`)"),
    ),
    security(("bearer" = [])),
)]
pub async fn pairing_otp(
    State(ctx): State<AppContext>,
    caller: CurrentUser,
    JsonBody(input): JsonBody<PairingOtpInput>,
) -> Result<Json<OtpSent>, ApiError> {
    let phone = parse_phone(&input.phone)?;
    let sent = shared::accounts::request_pairing_otp(&ctx, caller.id, &phone).await?;
    Ok(Json(OtpSent {
        success: true,
        message: "A code was sent to the number by SMS; send it as `otp` with the pairing request",
        expires_in: sent.expires_in_secs,
        resend_after: sent.resend_after_secs,
    }))
}

#[utoipa::path(
    get,
    path = "/api/whatsapp-accounts/{id}",
    tag = "sessions",
    summary = "One of your WhatsApp numbers, with the QR code while it is being linked",
    params(("id" = i64, Path, description = "The account's id")),
    responses((status = 200, description = "The account", body = WhatsAppAccountAnswer)),
    security(("bearer" = [])),
)]
pub async fn get_one(
    State(ctx): State<AppContext>,
    caller: CurrentUser,
    PathId(id): PathId,
) -> Result<Json<WhatsAppAccountAnswer>, ApiError> {
    let account = numbers::find(&ctx, caller.id, id).await?;
    let qr_code = match account.qr_code.as_deref().filter(|raw| !raw.is_empty()) {
        Some(raw) => Some(shared::qr::qr_code(raw).map_err(ApiError::internal)?),
        None => None,
    };
    let account = summary(&ctx, account).await?;
    Ok(Json(WhatsAppAccountAnswer { success: true, account, qr_code }))
}

#[utoipa::path(
    delete,
    path = "/api/whatsapp-accounts/{id}",
    tag = "sessions",
    summary = "Remove a WhatsApp number: logged out on WhatsApp (gone from the phone's Linked devices), login forgotten; its campaigns pause and cannot start on it",
    params(("id" = i64, Path, description = "The account's id")),
    responses((status = 200, description = "Removed", body = WhatsAppAccountRemoved)),
    security(("bearer" = [])),
)]
pub async fn remove(
    State(ctx): State<AppContext>,
    caller: CurrentUser,
    PathId(id): PathId,
) -> Result<Json<WhatsAppAccountRemoved>, ApiError> {
    let account = numbers::remove(&ctx, caller.id, id).await?;
    let account = summary(&ctx, account).await?;
    Ok(Json(WhatsAppAccountRemoved {
        success: true,
        message: "WhatsApp number removed; its device is being logged out",
        account,
    }))
}
