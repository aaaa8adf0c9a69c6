//! The control API under `/__control/`: what a person does with their phone
//! (scan a QR, log a device out, write to an account), what WhatsApp decides
//! (restrictions, the reach-out timelock, the new-chat message cap, numbers
//! not on WhatsApp) and what
//! a test needs to know (which messages each phone received). Answers are
//! JSON; errors are `{"error": "…"}`.

use axum::{
    extract::{Query, State as AxumState},
    http::StatusCode,
    response::{IntoResponse, Response},
    Json,
};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::json;

use crate::{
    digits,
    model::{CappingStatus, DeliveryStatus, NewChatCap},
    state::DRIFTABLE_HOOKS,
    web::{error, AppState},
};

/// The account that scans when the request names none.
pub const DEFAULT_ACCOUNT: &str = "989000000000";

#[derive(Deserialize)]
pub struct ScanRequest {
    #[serde(rename = "ref")]
    qr_ref: String,
    /// The scanning phone's own number (E.164 digits).
    phone: Option<String>,
}

/// `POST /__control/scan {"ref", "phone"?}` → the new linked device.
pub async fn scan(AxumState(state): AxumState<AppState>, Json(request): Json<ScanRequest>) -> Response {
    let account = request.phone.as_deref().map(digits).filter(|p| !p.is_empty());
    match state.scan(&request.qr_ref, account.as_deref().unwrap_or(DEFAULT_ACCOUNT)) {
        Ok(device) => {
            tracing::info!(device = %device.id, account = %device.account, "QR scanned: device linked");
            Json(device).into_response()
        }
        Err(unknown) => error(StatusCode::NOT_FOUND, &unknown.to_string()),
    }
}

#[derive(Deserialize)]
pub struct PairRequest {
    code: String,
    phone: String,
}

/// `POST /__control/pair {"code", "phone"}`: the phone of `phone` types the
/// pairing code under "Link with phone number" → the new linked device.
pub async fn pair(AxumState(state): AxumState<AppState>, Json(request): Json<PairRequest>) -> Response {
    match state.pair(&request.code, &digits(&request.phone)) {
        Ok(device) => {
            tracing::info!(device = %device.id, account = %device.account, "pairing code entered: device linked");
            Json(device).into_response()
        }
        Err(unknown) => error(StatusCode::NOT_FOUND, &unknown.to_string()),
    }
}

#[derive(Deserialize)]
pub struct ReceiptsRequest {
    phone: String,
    status: DeliveryStatus,
}

/// `POST /__control/receipts {"phone", "status": "delivered"|"read"}`: the
/// recipient's phone got (or opened) every message sent to it so far.
pub async fn receipts(AxumState(state): AxumState<AppState>, Json(request): Json<ReceiptsRequest>) -> Response {
    let phone = digits(&request.phone);
    let changed = state.push_receipts(&phone, request.status);
    Json(json!({ "phone": phone, "changed": changed })).into_response()
}

#[derive(Deserialize)]
pub struct ReplyRequest {
    phone: String,
    text: String,
}

/// `POST /__control/reply {"phone", "text"}`: that phone writes back to
/// every account that wrote to it. The chat shows an unread marker until
/// the page opens it.
pub async fn reply(AxumState(state): AxumState<AppState>, Json(request): Json<ReplyRequest>) -> Response {
    let phone = digits(&request.phone);
    let delivered = state.reply(&phone, &request.text);
    Json(json!({ "phone": phone, "delivered": delivered })).into_response()
}

#[derive(Deserialize)]
pub struct InboundRequest {
    from: String,
    to: String,
    text: String,
}

/// `POST /__control/inbound {"from", "to", "text"}`: the phone `from` writes
/// to the account `to`, first or again. The chat appears in the account's
/// chat list with an unread counter, and from then on the account may write
/// to `from` even under a reach-out timelock → `{"from", "to", "id"}`.
pub async fn inbound(AxumState(state): AxumState<AppState>, Json(request): Json<InboundRequest>) -> Response {
    let (from, to) = (digits(&request.from), digits(&request.to));
    if from.is_empty() || to.is_empty() {
        return error(StatusCode::BAD_REQUEST, "from and to must contain digits");
    }
    if request.text.trim().is_empty() {
        return error(StatusCode::BAD_REQUEST, "empty message");
    }
    let id = state.inbound(&from, &to, &request.text);
    Json(json!({ "from": from, "to": to, "id": id })).into_response()
}

#[derive(Deserialize)]
pub struct TimelockRequest {
    phone: String,
    /// When it ends; absent, `null` or past lifts it.
    #[serde(default)]
    until: Option<DateTime<Utc>>,
}

/// `POST /__control/timelock {"phone", "until"}`: WhatsApp's reach-out
/// timelock on the account `phone` until `until` (ISO-8601). While it holds,
/// the account cannot start new chats: chats with contacts who never wrote
/// to it show the timelock bar instead of the compose box, and messages to
/// them are refused (WhatsApp's error 463) → `{"phone", "until"}`, `until`
/// `null` when none holds.
pub async fn timelock(AxumState(state): AxumState<AppState>, Json(request): Json<TimelockRequest>) -> Response {
    let phone = digits(&request.phone);
    if phone.is_empty() {
        return error(StatusCode::BAD_REQUEST, "phone must contain digits");
    }
    let until = state.set_timelock(&phone, request.until);
    tracing::info!(account = %phone, ?until, "reach-out timelock set");
    Json(json!({ "phone": phone, "until": until })).into_response()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QuotaRequest {
    phone: String,
    used: u32,
    total: u32,
    /// Parsed here rather than by serde, so a wrong one gets a JSON answer
    /// that names the right ones.
    status: String,
    /// When the cycle ends; absent, a monthly cycle from now.
    #[serde(default)]
    cycle_ends_at: Option<DateTime<Utc>>,
}

/// How long a cycle lasts when the request names no end: the cap is
/// monthly (docs/whatsapp-web-evidence.md, "new-chat message cap").
const CYCLE: chrono::TimeDelta = chrono::TimeDelta::days(30);

/// `POST /__control/quota {"phone", "used", "total", "status",
/// "cycleEndsAt"?}`: WhatsApp's server reports the account `phone`'s cap on
/// messages to people who have not replied (status `NONE`,
/// `FIRST_WARNING`, `SECOND_WARNING` or `CAPPED`). The 2026 page offers it
/// through WhatsApp's module `WAWebIndividualNewChatMessageCappingLimitUtils`,
/// and each later message to someone who never wrote to the account counts
/// one more → `{"phone", "quota": {status, used, total, cycleEndsAt}}`.
pub async fn quota(AxumState(state): AxumState<AppState>, Json(request): Json<QuotaRequest>) -> Response {
    let phone = digits(&request.phone);
    if phone.is_empty() {
        return error(StatusCode::BAD_REQUEST, "phone must contain digits");
    }
    let status: CappingStatus = match request.status.parse() {
        Ok(status) => status,
        Err(unknown) => return error(StatusCode::BAD_REQUEST, &unknown),
    };
    if request.used > request.total {
        return error(StatusCode::BAD_REQUEST, "used must not exceed total");
    }
    let cycle_ends_at = request.cycle_ends_at.unwrap_or_else(|| Utc::now() + CYCLE);
    let cap = NewChatCap { status, used: request.used, total: request.total, cycle_ends_at };
    state.set_new_chat_cap(&phone, cap);
    tracing::info!(account = %phone, %status, used = cap.used, total = cap.total, "new-chat message cap set");
    Json(json!({ "phone": phone, "quota": cap })).into_response()
}

#[derive(Deserialize)]
pub struct DriftRequest {
    hook: String,
}

/// `POST /__control/drift {"hook"}`: from now on the page draws this hook
/// under names no alternative of the driver knows, as a WhatsApp release
/// would. Chats opened afterwards show it.
pub async fn drift(AxumState(state): AxumState<AppState>, Json(request): Json<DriftRequest>) -> Response {
    if !DRIFTABLE_HOOKS.contains(&request.hook.as_str()) {
        let known = DRIFTABLE_HOOKS.join(", ");
        return error(StatusCode::BAD_REQUEST, &format!("unknown hook `{}`; one of: {known}", request.hook));
    }
    state.drift(&request.hook);
    tracing::info!(hook = %request.hook, "hook drifted");
    Json(json!({ "drifted": state.drifted() })).into_response()
}

#[derive(Deserialize)]
pub struct RestrictRequest {
    account: String,
    /// How long the notice says; 0 lifts the restriction.
    #[serde(default = "a_day")]
    hours: u32,
}

fn a_day() -> u32 {
    24
}

/// `POST /__control/restrict {"account", "hours"?}`: WhatsApp restricts the
/// account (its spam measures): its pages show the restriction notice and
/// its messages are refused, until lifted with `hours: 0`.
pub async fn restrict(AxumState(state): AxumState<AppState>, Json(request): Json<RestrictRequest>) -> Response {
    let account = digits(&request.account);
    if account.is_empty() {
        return error(StatusCode::BAD_REQUEST, "account must contain digits");
    }
    state.restrict(&account, request.hours);
    Json(json!({ "account": account, "hours": request.hours })).into_response()
}

#[derive(Deserialize)]
pub struct StallRequest {
    on: bool,
}

/// `POST /__control/stall {"on"}`: WhatsApp's servers stop confirming
/// messages (each keeps its clock) until turned off.
pub async fn stall(AxumState(state): AxumState<AppState>, Json(request): Json<StallRequest>) -> Response {
    state.stall(request.on);
    Json(json!({ "stalled": request.on })).into_response()
}

#[derive(Deserialize)]
pub struct PhoneRequest {
    phone: String,
}

/// `POST /__control/not-on-whatsapp {"phone"}`: the send link for this number
/// shows WhatsApp's "invalid" popup from now on.
pub async fn not_on_whatsapp(AxumState(state): AxumState<AppState>, Json(request): Json<PhoneRequest>) -> Response {
    let phone = digits(&request.phone);
    if phone.is_empty() {
        return error(StatusCode::BAD_REQUEST, "phone must contain digits");
    }
    state.mark_not_on_whatsapp(&phone);
    Json(json!({ "phone": phone })).into_response()
}

#[derive(Deserialize, Default)]
pub struct LogoutRequest {
    /// One device id (from `scan` or `devices`); every device when absent.
    device: Option<String>,
}

/// `POST /__control/logout {"device"?}`: "Log out" on the phone's Linked
/// devices screen; open pages of those devices go back to the QR.
pub async fn logout(
    AxumState(state): AxumState<AppState>,
    request: Option<Json<LogoutRequest>>,
) -> Json<serde_json::Value> {
    let request = request.map(|Json(r)| r).unwrap_or_default();
    let unlinked = state.logout(request.device.as_deref());
    tracing::info!(unlinked, "devices logged out");
    Json(json!({ "unlinked": unlinked }))
}

/// `GET /__control/devices` → the linked devices.
pub async fn devices(AxumState(state): AxumState<AppState>) -> Json<serde_json::Value> {
    Json(json!({ "devices": state.devices() }))
}

#[derive(Deserialize)]
pub struct MessagesQuery {
    phone: Option<String>,
}

/// `GET /__control/messages?phone=` → what that phone (or every phone)
/// received, oldest first.
pub async fn messages(
    AxumState(state): AxumState<AppState>,
    Query(query): Query<MessagesQuery>,
) -> Json<serde_json::Value> {
    let phone = query.phone.as_deref().map(digits);
    Json(json!({ "messages": state.messages(phone.as_deref()) }))
}

/// `POST /__control/reset`: forget devices, messages of both directions,
/// marked numbers, restrictions, timelocks, new-chat caps and drift.
pub async fn reset(AxumState(state): AxumState<AppState>) -> StatusCode {
    state.reset();
    StatusCode::NO_CONTENT
}
