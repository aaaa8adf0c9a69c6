//! The WebSocket API's messages as schema components: the events the
//! server pushes (`shared::realtime::events` builds them) and the client's
//! `ping`/`subscribe` with their replies (`crate::ws::default`). A test in
//! `shared` pins the wire form; these types only describe it.

#![allow(dead_code)] // only read by the schema derive

use chrono::{DateTime, Utc};
use serde::Serialize;
use shared::realtime::{CompletionReport, Progress, QrCodePayload};
use utoipa::ToSchema;

/// A server → client event on `/ws/campaigns?campaignId=…&token=…`:
/// `{"type", "campaignId", "data": {…, "timestamp"}}`.
#[derive(Serialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum WsEvent {
    CampaignUpdate(CampaignUpdateEvent),
    ProgressUpdate(ProgressUpdateEvent),
    StatusUpdate(StatusUpdateEvent),
    ErrorUpdate(ErrorUpdateEvent),
    CompletionUpdate(CompletionUpdateEvent),
    QrCode(QrCodeEvent),
    PairingCode(PairingCodeEvent),
    ReplyUpdate(ReplyUpdateEvent),
    NumberUpdate(NumberUpdateEvent),
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CampaignUpdateEvent {
    campaign_id: i64,
    data: CampaignUpdateData,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CampaignUpdateData {
    id: i64,
    title: Option<String>,
    status: shared::domain::CampaignStatus,
    progress: Progress,
    started_at: Option<DateTime<Utc>>,
    /// When the event was sent.
    timestamp: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProgressUpdateEvent {
    campaign_id: i64,
    data: ProgressUpdateData,
}

/// `progress.percentage` is the share of recipients handled (sent or failed).
#[derive(Serialize, ToSchema)]
pub struct ProgressUpdateData {
    progress: Progress,
    /// When the event was sent.
    timestamp: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StatusUpdateEvent {
    /// Absent on a socket that follows the account rather than a campaign.
    campaign_id: Option<i64>,
    /// Set on events of a WhatsApp account's session.
    account_id: Option<i64>,
    data: StatusUpdateData,
}

#[derive(Serialize, ToSchema)]
pub struct StatusUpdateData {
    /// Lower case: `ready`, `running`, `paused`, `completed`, `disconnected`,
    /// `waiting` (the send governor holds a RUNNING campaign back), …
    status: String,
    message: String,
    /// With `waiting`: when sending may resume.
    #[serde(rename = "waitingUntil", skip_serializing_if = "Option::is_none")]
    waiting_until: Option<DateTime<Utc>>,
    /// With `waiting`: why.
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<shared::governor::WaitReason>,
    /// When the event was sent.
    timestamp: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ErrorUpdateEvent {
    /// Absent on a socket that follows the account rather than a campaign.
    campaign_id: Option<i64>,
    /// Set on events of a WhatsApp account's session.
    account_id: Option<i64>,
    data: ErrorUpdateData,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorUpdateData {
    error: String,
    /// When the event was sent.
    timestamp: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CompletionUpdateEvent {
    campaign_id: i64,
    data: CompletionUpdateData,
}

#[derive(Serialize, ToSchema)]
pub struct CompletionUpdateData {
    report: CompletionReport,
    /// When the event was sent.
    timestamp: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct QrCodeEvent {
    /// Absent on a socket that follows the account rather than a campaign.
    campaign_id: Option<i64>,
    /// Set on events of a WhatsApp account's session.
    account_id: Option<i64>,
    data: QrCodeData,
}

/// A new QR code to scan; WhatsApp replaces it about every 20 seconds.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct QrCodeData {
    qr_code: QrCodePayload,
    /// When the event was sent.
    timestamp: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PairingCodeEvent {
    /// Absent on a socket that follows the account rather than a campaign.
    campaign_id: Option<i64>,
    /// Set on events of a WhatsApp account's session.
    account_id: Option<i64>,
    data: PairingCodeData,
}

/// "Link with phone number": the code to type on the phone, until it expires
/// (WhatsApp Web renews it about every 3 minutes; each renewal is an event).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PairingCodeData {
    #[schema(example = "ABCD-EFGH")]
    code: String,
    expires_at: DateTime<Utc>,
    /// When the event was sent.
    timestamp: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReplyUpdateEvent {
    campaign_id: i64,
    data: ReplyUpdateData,
}

/// A recipient wrote back. `optedOut`: the reply was an opt-out keyword
/// and the number is now on the owner's suppression list.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReplyUpdateData {
    #[schema(example = "989121234567")]
    phone: String,
    /// The reply, at most 1,000 characters.
    text: String,
    opted_out: bool,
    /// When the event was sent.
    timestamp: DateTime<Utc>,
}

/// To the sockets of a WhatsApp account and of its campaigns (`accountId`,
/// and `campaignId` on a campaign's socket).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NumberUpdateEvent {
    account_id: i64,
    campaign_id: Option<i64>,
    data: NumberUpdateData,
}

/// A number's health changed (WhatsApp's timelock or new-chat quota), or
/// its link is due (from day 10 after the phone was last seen; WhatsApp
/// logs linked devices out after about 14): the account as
/// `GET /api/whatsapp-accounts` lists it, with `accountId` and a message.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NumberUpdateData {
    account_id: i64,
    #[serde(flatten)]
    number: shared::governor::numbers::AccountSummary,
    /// What the user should know, in a sentence.
    message: String,
    /// When the event was sent.
    timestamp: DateTime<Utc>,
}

/// A client → server message.
#[derive(Serialize, ToSchema)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum WsClientMessage {
    /// Keep-alive; answered with `pong`.
    Ping,
    /// Follow another of the caller's own campaigns (`campaignId`), or one of
    /// their WhatsApp accounts (`accountId`: its `qr_code`, `pairing_code`,
    /// `status_update` and `error_update` events, which then carry
    /// `accountId`), on this socket. Exactly one of the two.
    Subscribe {
        #[serde(rename = "campaignId")]
        campaign_id: Option<i64>,
        #[serde(rename = "accountId")]
        account_id: Option<i64>,
    },
}

/// The server's reply to a client message.
#[derive(Serialize, ToSchema)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum WsServerReply {
    Pong,
    Subscribed {
        #[serde(rename = "campaignId")]
        campaign_id: Option<i64>,
        #[serde(rename = "accountId")]
        account_id: Option<i64>,
    },
    Error {
        #[serde(rename = "campaignId")]
        campaign_id: Option<i64>,
        #[serde(rename = "accountId")]
        account_id: Option<i64>,
        message: String,
    },
}
