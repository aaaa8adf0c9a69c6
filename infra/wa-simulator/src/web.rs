//! The backend of the simulated web client: what WhatsApp Web does over its
//! WebSocket (pairing, session checks, sending), here as small JSON calls
//! that the page's script polls. Only the page calls these; tests use the
//! control API.

use std::sync::Arc;

use axum::{
    body::Bytes,
    extract::{Path, Query, State as AxumState},
    http::StatusCode,
    response::{IntoResponse, Response},
    Json,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::{
    digits,
    model::{Attachment, DeliveryStatus, ReceivedMessage},
    qr,
    state::{ChatEntry, Outgoing, PairingView, SendRefused, State},
};

pub type AppState = Arc<State>;

pub async fn new_pairing(AxumState(state): AxumState<AppState>) -> Json<serde_json::Value> {
    Json(json!({ "pairing": state.new_pairing() }))
}

pub async fn poll_pairing(AxumState(state): AxumState<AppState>, Path(id): Path<String>) -> Response {
    match state.poll_pairing(&id) {
        None => error(StatusCode::NOT_FOUND, "no such pairing"),
        Some(PairingView::Linked(token)) => Json(json!({ "linked": true, "token": token })).into_response(),
        Some(PairingView::Code { code, phone }) => {
            Json(json!({ "linked": false, "code": code, "phone": phone })).into_response()
        }
        Some(PairingView::Qr(qr_ref)) => match qr::modules(&qr_ref) {
            Ok(modules) => Json(json!({ "linked": false, "ref": qr_ref, "modules": modules })).into_response(),
            Err(err) => error(StatusCode::INTERNAL_SERVER_ERROR, &err.to_string()),
        },
    }
}

#[derive(Deserialize)]
pub struct CodeRequest {
    phone: String,
}

/// "Link with phone number": the page submitted the user's number and now
/// shows a pairing code for it.
pub async fn request_code(
    AxumState(state): AxumState<AppState>,
    Path(id): Path<String>,
    Json(request): Json<CodeRequest>,
) -> Response {
    let phone = digits(&request.phone);
    if !(8..=15).contains(&phone.len()) {
        return error(StatusCode::BAD_REQUEST, "phone must have 8 to 15 digits, with the country code");
    }
    match state.request_code(&id, &phone) {
        Some(code) => Json(json!({ "code": code, "phone": phone })).into_response(),
        None => error(StatusCode::NOT_FOUND, "no such pairing"),
    }
}

#[derive(Deserialize)]
pub struct StateQuery {
    token: String,
    #[serde(default)]
    phone: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ChatView {
    phone: String,
    #[serde(rename = "onWhatsApp")]
    on_whatsapp: bool,
    /// The reach-out timelock keeps this chat's compose box away: the
    /// account is timelocked and the contact never wrote to it.
    timelocked: bool,
    /// Both directions in time order, as the page draws them.
    timeline: Vec<EntryView>,
}

#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
enum EntryView {
    /// Ours, with its ticks.
    Out(BubbleView),
    /// What the other phone wrote.
    In(IncomingView),
}

#[derive(Serialize)]
struct IncomingView {
    id: String,
    text: String,
    at: DateTime<Utc>,
}

/// A message as the page draws it.
#[derive(Serialize)]
struct BubbleView {
    id: String,
    text: Option<String>,
    caption: Option<String>,
    attachment: Option<String>,
    /// The attachment's type: the 2026 markup draws photos, videos and
    /// documents differently.
    mime: Option<String>,
    status: DeliveryStatus,
}

impl From<ReceivedMessage> for BubbleView {
    fn from(m: ReceivedMessage) -> Self {
        let (attachment, mime) = m.attachment.map(|a| (a.name, a.mime)).unzip();
        Self { id: m.id, text: m.text, caption: m.caption, attachment, mime, status: m.status }
    }
}

/// Is this device still linked, which chats does it have, and (when the page
/// shows one) the open chat with its ticks.
pub async fn session_state(AxumState(state): AxumState<AppState>, Query(query): Query<StateQuery>) -> Response {
    let Some(account) = state.account_of(&query.token) else {
        return error(StatusCode::UNAUTHORIZED, "this device is not linked");
    };
    let phone = digits(&query.phone);
    let timelock = state.timelock(&account);
    let chat = (!phone.is_empty()).then(|| ChatView {
        on_whatsapp: state.is_on_whatsapp(&phone),
        timelocked: timelock.is_some() && !state.has_written(&account, &phone),
        timeline: state
            .open_chat(&account, &phone)
            .into_iter()
            .map(|entry| match entry {
                ChatEntry::Ours(message) => EntryView::Out(BubbleView::from(message)),
                ChatEntry::Theirs(m) => EntryView::In(IncomingView { id: m.id, text: m.text, at: m.at }),
            })
            .collect(),
        phone,
    });
    let unread: serde_json::Map<String, serde_json::Value> =
        state.unread(&account).into_iter().map(|(phone, count)| (phone, json!(count))).collect();
    let drift = state.drifted();
    let chats = state.chats(&account);
    let restricted = state.restriction(&account);
    let timelock = timelock.map(|until| json!({ "until": until }));
    // The 2026 page offers it through WhatsApp's capping module.
    let quota = state.new_chat_cap(&account);
    Json(json!({
        "account": account, "chats": chats, "unread": unread, "chat": chat, "drift": drift,
        "restrictedHours": restricted, "timelock": timelock, "quota": quota,
    }))
    .into_response()
}

#[derive(Deserialize)]
pub struct LogOutRequest {
    token: String,
}

/// The page's own "Log out" (menu → Log out → confirm): WhatsApp unlinks the
/// device, so the phone's Linked devices no longer lists it.
pub async fn log_out(AxumState(state): AxumState<AppState>, Json(request): Json<LogOutRequest>) -> Response {
    match state.log_out_device(&request.token) {
        Some(device) => {
            tracing::info!(device = %device.id, "device logged itself out");
            Json(json!({ "unlinked": device.id })).into_response()
        }
        None => error(StatusCode::UNAUTHORIZED, "this device is not linked"),
    }
}

#[derive(Deserialize)]
pub struct TextMessage {
    token: String,
    id: String,
    to: String,
    text: String,
    #[serde(default, rename = "typingMs")]
    typing_ms: u64,
}

pub async fn send_text(AxumState(state): AxumState<AppState>, Json(message): Json<TextMessage>) -> Response {
    if message.text.trim().is_empty() {
        return error(StatusCode::BAD_REQUEST, "empty message");
    }
    let outgoing = Outgoing {
        id: message.id,
        to: digits(&message.to),
        text: Some(message.text),
        attachment: None,
        caption: None,
        typing_ms: message.typing_ms,
    };
    accept(&state, &message.token, outgoing)
}

#[derive(Deserialize)]
pub struct MediaQuery {
    token: String,
    id: String,
    to: String,
    name: String,
    mime: String,
    #[serde(default)]
    caption: String,
    #[serde(default, rename = "typingMs")]
    typing_ms: u64,
}

/// The file's bytes are the body (the page posts the `File` object itself).
pub async fn send_media(
    AxumState(state): AxumState<AppState>,
    Query(query): Query<MediaQuery>,
    body: Bytes,
) -> Response {
    if body.is_empty() || query.name.is_empty() {
        return error(StatusCode::BAD_REQUEST, "empty attachment");
    }
    let attachment = Attachment {
        name: query.name,
        mime: query.mime,
        size: body.len() as u64,
        sha256: hex::encode(Sha256::digest(&body)),
    };
    let outgoing = Outgoing {
        id: query.id,
        to: digits(&query.to),
        text: None,
        attachment: Some(attachment),
        caption: (!query.caption.is_empty()).then_some(query.caption),
        typing_ms: query.typing_ms,
    };
    accept(&state, &query.token, outgoing)
}

fn accept(state: &State, token: &str, outgoing: Outgoing) -> Response {
    let valid_id =
        !outgoing.id.is_empty() && outgoing.id.len() <= 64 && outgoing.id.chars().all(|c| c.is_ascii_alphanumeric());
    if !valid_id || outgoing.to.is_empty() {
        return error(StatusCode::BAD_REQUEST, "a message needs an id and a recipient");
    }
    let id = outgoing.id.clone();
    match state.receive(token, outgoing) {
        Ok(()) => Json(json!({ "id": id })).into_response(),
        Err(refused @ SendRefused::NotLinked) => error(StatusCode::UNAUTHORIZED, &refused.to_string()),
        Err(refused @ SendRefused::NotOnWhatsApp) => error(StatusCode::NOT_FOUND, &refused.to_string()),
        Err(refused @ SendRefused::Restricted) => error(StatusCode::FORBIDDEN, &refused.to_string()),
        Err(refused @ SendRefused::Timelocked) => error(timelocked_status(), &refused.to_string()),
        Err(refused @ SendRefused::Stalled) => error(StatusCode::SERVICE_UNAVAILABLE, &refused.to_string()),
    }
}

/// WhatsApp's own answer to a message sent under the reach-out timelock
/// (error 463); nothing is delivered and the sender sees no tick.
pub fn timelocked_status() -> StatusCode {
    StatusCode::from_u16(463).unwrap_or(StatusCode::FORBIDDEN)
}

pub fn error(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({ "error": message }))).into_response()
}
