//! `/api/whatsapp-accounts`: the caller's WhatsApp numbers. A number is
//! linked once and every campaign sending from it reuses its session: link
//! a new one, list them with their connection state and the send governor's
//! figures, read one, remove one (logged out on WhatsApp).

use axum::{body::Bytes, extract::State, http::StatusCode, Json};
use chrono::SecondsFormat;
use serde::Deserialize;
use serde_json::{json, Value};
use shared::{
    domain::Phone,
    governor::accounts::{self as summaries, AccountSummary},
    repo::whatsapp_accounts::AccountRow,
    sessions::accounts,
    validation::parse_json,
    ApiError, AppContext,
};

use crate::http::{CurrentUser, PathId};

async fn summary(ctx: &AppContext, account: AccountRow) -> Result<AccountSummary, ApiError> {
    Ok(summaries::summary(&ctx.db, account, &ctx.settings.governor).await?)
}

#[utoipa::path(
    get,
    path = "/api/whatsapp-accounts",
    tag = "sessions",
    summary = "Your WhatsApp numbers: link state, this hour's and today's sends (all campaigns), the caps in force, warm-up, restriction, last breaker trip",
    responses((status = 200, description = "The accounts", body = crate::openapi::bodies::WhatsAppAccountsAnswer)),
    security(("bearer" = [])),
)]
pub async fn list(State(ctx): State<AppContext>, caller: CurrentUser) -> Result<Json<Value>, ApiError> {
    let accounts = summaries::owned(&ctx.db, caller.id, &ctx.settings.governor).await?;
    Ok(Json(json!({ "success": true, "accounts": accounts })))
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct LinkInput {
    /// Link with a pairing code for this number instead of a QR code.
    #[schema(example = "09123456789")]
    phone: Option<String>,
}

/// Starts linking a new number. The answer carries the first QR code (or
/// pairing code) if a sender showed it within the wait; later ones follow as
/// `qr_code` / `pairing_code` events to sockets that subscribed with
/// `{"type":"subscribe","accountId":N}`.
#[utoipa::path(
    post,
    path = "/api/whatsapp-accounts",
    tag = "sessions",
    summary = "Link a new WhatsApp number: a QR code to scan (or, with `phone`, a pairing code); renewals follow as events",
    request_body(content = LinkInput, description = "Optional: `{}` or no body for a QR code"),
    responses((status = 201, description = "The account being linked", body = crate::openapi::bodies::LinkingAnswer)),
    security(("bearer" = [])),
)]
pub async fn link(
    State(ctx): State<AppContext>,
    caller: CurrentUser,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let input: LinkInput =
        if body.iter().all(u8::is_ascii_whitespace) { LinkInput::default() } else { parse_json(&body)? };
    let phone = input
        .phone
        .map(|phone| Phone::parse(&phone).map_err(|err| ApiError::field("phone", format!("The phone number {err}"))))
        .transpose()?;
    let linking = accounts::link_new(&ctx, caller.id, phone.as_ref()).await?;
    let pairing = linking.pairing_code.map(|(code, expires_at)| {
        json!({ "code": code, "expiresAt": expires_at.to_rfc3339_opts(SecondsFormat::Millis, true) })
    });
    let message = match (&linking.qr_code, &pairing) {
        (None, None) => "WhatsApp Web is still starting; the code will arrive over the WebSocket",
        (_, Some(_)) => "Type the code on the phone: WhatsApp › Linked devices › Link with phone number",
        (Some(_), None) => "Scan the QR code: WhatsApp › Linked devices › Link a device",
    };
    let account = summary(&ctx, linking.account).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "success": true,
            "account": account,
            "qrCode": linking.qr_code,
            "pairingCode": pairing,
            "message": message,
        })),
    ))
}

#[utoipa::path(
    get,
    path = "/api/whatsapp-accounts/{id}",
    tag = "sessions",
    summary = "One of your WhatsApp numbers, with the QR code while it is being linked",
    params(("id" = i64, Path, description = "The account's id")),
    responses((status = 200, description = "The account", body = crate::openapi::bodies::WhatsAppAccountAnswer)),
    security(("bearer" = [])),
)]
pub async fn get_one(
    State(ctx): State<AppContext>,
    caller: CurrentUser,
    PathId(id): PathId,
) -> Result<Json<Value>, ApiError> {
    let account = accounts::find(&ctx, caller.id, id).await?;
    let qr_code = match account.qr_code.as_deref().filter(|raw| !raw.is_empty()) {
        Some(raw) => Some(shared::qr::qr_code(raw).map_err(ApiError::internal)?),
        None => None,
    };
    let account = summary(&ctx, account).await?;
    Ok(Json(json!({ "success": true, "account": account, "qrCode": qr_code })))
}

#[utoipa::path(
    delete,
    path = "/api/whatsapp-accounts/{id}",
    tag = "sessions",
    summary = "Remove a WhatsApp number: logged out on WhatsApp (gone from the phone's Linked devices), login forgotten; its campaigns pause and cannot start on it",
    params(("id" = i64, Path, description = "The account's id")),
    responses((status = 200, description = "Removed", body = crate::openapi::bodies::WhatsAppAccountAnswer)),
    security(("bearer" = [])),
)]
pub async fn remove(
    State(ctx): State<AppContext>,
    caller: CurrentUser,
    PathId(id): PathId,
) -> Result<Json<Value>, ApiError> {
    let account = accounts::remove(&ctx, caller.id, id).await?;
    let account = summary(&ctx, account).await?;
    Ok(Json(json!({
        "success": true,
        "message": "WhatsApp number removed; its device is being logged out",
        "account": account,
    })))
}
