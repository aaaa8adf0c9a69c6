//! The success bodies of the API as the OpenAPI document describes them.
//! Handlers build their envelopes with `json!` around the view types; these
//! types name those envelopes (`{success, message, <payload>}`) so the
//! document can show them. They embed the real view types, so a field added
//! to a view shows up here by itself, and the API tests check every answer
//! they receive against this document.

#![allow(dead_code)] // only read by the schema derive

use chrono::{DateTime, Utc};
use serde::Serialize;
use shared::{
    domain::{CampaignStatus, Interval, OrderStatus, PackageStatus, SendType},
    realtime::QrCodePayload,
};
use utoipa::ToSchema;

use crate::{
    admin::views::{StatsView, TemplateView},
    auth::views::{Profile, UserSummary},
    campaigns::views::{
        AttachmentView, CampaignSummary, CampaignView, CountsView, ImportView, RecipientView, ReportView, UploadUrlView,
    },
    packages::views::PackageView,
    payments::views::{NewOrderView, OrderView, SubscriptionView, TransactionView},
};

/// What every success body carries.
#[derive(Serialize, ToSchema)]
pub struct Done {
    /// Always `true` on success.
    success: bool,
    message: String,
}

#[derive(Serialize, ToSchema)]
pub struct Health {
    success: bool,
    #[schema(example = "ok")]
    status: String,
    #[schema(example = "ok")]
    database: String,
}

// ---- auth and users ---------------------------------------------------------

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OtpSent {
    success: bool,
    message: String,
    /// Seconds the code stays valid.
    expires_in: u64,
    /// Seconds before another code may be requested for this target.
    resend_after: u64,
}

#[derive(Serialize, ToSchema)]
pub struct OtpVerified {
    success: bool,
    message: String,
    verified: bool,
}

#[derive(Serialize, ToSchema)]
pub struct UserAnswer {
    success: bool,
    message: Option<String>,
    user: Profile<'static>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LoggedIn {
    success: bool,
    message: String,
    /// A JWT for `Authorization: Bearer …`.
    access_token: String,
    /// Opaque; exchange it at `/api/refresh/token`.
    refresh_token: String,
    user: UserSummary<'static>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TokensRefreshed {
    success: bool,
    access_token: String,
    /// The rotated refresh token: the one sent is no longer valid.
    refresh_token: String,
}

// ---- campaigns ----------------------------------------------------------------

#[derive(Serialize, ToSchema)]
pub struct CampaignCreated {
    success: bool,
    message: String,
    campaign: CampaignSummary<'static>,
}

#[derive(Serialize, ToSchema)]
pub struct CampaignList {
    success: bool,
    campaigns: Vec<CampaignView<'static>>,
    pagination: shared::domain::Pagination,
}

#[derive(Serialize, ToSchema)]
pub struct CampaignAnswer {
    success: bool,
    message: String,
    campaign: CampaignView<'static>,
}

/// `GET /api/whatsapp-accounts`.
#[derive(Serialize, ToSchema)]
pub struct WhatsAppAccountsAnswer {
    success: bool,
    accounts: Vec<shared::governor::accounts::AccountSummary>,
}

/// `POST /api/whatsapp-accounts`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LinkingAnswer {
    success: bool,
    account: shared::governor::accounts::AccountSummary,
    /// The QR code to scan, if a sender showed one within the wait.
    qr_code: Option<QrCodePayload>,
    /// With `phone`: the code to type on the phone, if shown within the wait.
    pairing_code: Option<LinkingPairingCode>,
    message: String,
}

/// `202` of `POST /api/whatsapp-accounts`: every browser of the fleet is
/// busy (linking or sending); the code follows as a `qr_code` /
/// `pairing_code` event.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LinkingQueuedAnswer {
    success: bool,
    account: shared::governor::accounts::AccountSummary,
    #[serde(flatten)]
    queue: LinkQueuedAnswer,
}

/// `202` of a link request (`qr-code`, `pairing-code`): no browser free now;
/// the code follows as an event, or look again after `retryAfterSeconds`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LinkQueuedAnswer {
    success: bool,
    /// Always `true`.
    queued: bool,
    /// 1: the next to get a browser.
    #[schema(minimum = 1)]
    position: i64,
    retry_after_seconds: u64,
    message: String,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LinkingPairingCode {
    #[schema(example = "ABCD-EFGH")]
    code: String,
    expires_at: DateTime<Utc>,
}

/// `GET` and `DELETE /api/whatsapp-accounts/{id}`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WhatsAppAccountAnswer {
    success: bool,
    account: shared::governor::accounts::AccountSummary,
    /// While linking: the QR code the session shows (GET only).
    qr_code: Option<QrCodePayload>,
}

/// A campaign with its recipient counts and attachment.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CampaignDetails {
    #[schema(inline)]
    #[serde(flatten)]
    campaign: CampaignView<'static>,
    recipient_counts: CountsView,
    attachment: Option<AttachmentView<'static>>,
    /// When the last pending message will have left under the send
    /// governor's limits (sending hours, hourly and daily caps, warm-up, the
    /// cold budget, WhatsApp's timelock and quota, pauses); a campaign not
    /// yet on a number is estimated as on a brand-new one, a PAUSED one as
    /// if resumed now. `null` when nothing is pending or the campaign is over.
    estimated_finish_at: Option<DateTime<Utc>>,
}

#[derive(Serialize, ToSchema)]
pub struct CampaignDetailsAnswer {
    success: bool,
    campaign: CampaignDetails,
}

#[derive(Serialize, ToSchema)]
pub struct Imported {
    success: bool,
    message: String,
    #[serde(flatten)]
    import: ImportView<'static>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UploadUrlAnswer {
    success: bool,
    #[serde(flatten)]
    upload: UploadUrlView<'static>,
    /// Attachments only: the name to confirm once the upload is done.
    temp_filename: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct RecipientList {
    success: bool,
    recipients: Vec<RecipientView<'static>>,
    pagination: shared::domain::Pagination,
}

#[derive(Serialize, ToSchema)]
pub struct AttachmentAnswer {
    success: bool,
    message: String,
    attachment: AttachmentView<'static>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AttachmentStaged {
    success: bool,
    message: String,
    temp_filename: String,
    original_name: String,
    mimetype: String,
    size: u64,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AttachmentDownload {
    #[serde(flatten)]
    attachment: AttachmentView<'static>,
    /// A presigned link to the stored file.
    download_url: String,
    expires_in: u64,
}

#[derive(Serialize, ToSchema)]
pub struct AttachmentDetails {
    success: bool,
    attachment: AttachmentDownload,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PreviewCampaign {
    id: i64,
    title: Option<String>,
    status: CampaignStatus,
    interval: Interval,
    interval_seconds: u64,
    is_scheduled: bool,
    scheduled_at: Option<DateTime<Utc>>,
    timezone: String,
}

#[derive(Serialize, ToSchema)]
pub struct EstimatedDuration {
    seconds: u64,
    /// In words, e.g. `1h 5m`.
    text: String,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Preview {
    campaign: PreviewCampaign,
    message: String,
    attachment: Option<AttachmentView<'static>>,
    recipient_count: u64,
    pending_count: u64,
    sample_recipients: Vec<RecipientView<'static>>,
    /// The exact text of the first recipients.
    samples: Vec<PreviewSample>,
    /// How many different texts the message's choices can produce.
    variants: u64,
    /// From now until `estimatedFinishAt` (0 when that is `null`).
    estimated_duration: EstimatedDuration,
    /// As in the campaign's details: when the last pending message will
    /// have left under the send governor's limits.
    estimated_finish_at: Option<DateTime<Utc>>,
}

#[derive(Serialize, ToSchema)]
pub struct PreviewSample {
    phone: String,
    text: String,
}

#[derive(Serialize, ToSchema)]
pub struct PreviewAnswer {
    success: bool,
    preview: Preview,
}

#[derive(Serialize, ToSchema)]
pub struct ReportAnswer {
    success: bool,
    report: ReportView<'static>,
}

// ---- WhatsApp sessions ---------------------------------------------------------

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct QrAnswer {
    success: bool,
    /// Null when WhatsApp is already connected.
    qr_code: Option<QrCodePayload>,
    is_connected: bool,
    message: Option<String>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PairingCodeAnswer {
    success: bool,
    /// Shown as on the page: `ABCD-EFGH`.
    #[schema(example = "ABCD-EFGH")]
    code: String,
    /// WhatsApp renews the code about every 3 minutes.
    expires_at: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionAnswer {
    success: bool,
    is_connected: bool,
    last_activity: Option<DateTime<Utc>>,
}

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

#[derive(Serialize, ToSchema)]
pub struct CampaignStateAnswer {
    success: bool,
    message: String,
    campaign: CampaignState,
}

#[derive(Serialize, ToSchema)]
pub struct ScheduledList {
    success: bool,
    campaigns: Vec<CampaignState>,
}

// ---- packages, orders, payments ------------------------------------------------

#[derive(Serialize, ToSchema)]
pub struct PackageList {
    success: bool,
    packages: Vec<PackageView<'static>>,
}

#[derive(Serialize, ToSchema)]
pub struct PackageAnswer {
    success: bool,
    message: Option<String>,
    package: PackageView<'static>,
}

#[derive(Serialize, ToSchema)]
pub struct PackageRemoved {
    success: bool,
    message: String,
    /// False when the package had orders and was deactivated instead.
    deleted: bool,
    status: Option<PackageStatus>,
}

#[derive(Serialize, ToSchema)]
pub struct OrderCreated {
    success: bool,
    message: String,
    order: NewOrderView<'static>,
}

#[derive(Serialize, ToSchema)]
pub struct OrderList {
    success: bool,
    orders: Vec<OrderView<'static>>,
    pagination: shared::domain::Pagination,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PaymentStarted {
    success: bool,
    authority: String,
    /// The gateway's StartPay page: send the buyer there.
    payment_url: String,
}

#[derive(Serialize, ToSchema)]
pub struct PaidOrder {
    id: i64,
    status: OrderStatus,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PaymentVerified {
    success: bool,
    message: String,
    /// True when an earlier verify or callback had already settled it.
    already_verified: bool,
    ref_id: Option<String>,
    order: PaidOrder,
    transaction: TransactionView<'static>,
}

#[derive(Serialize, ToSchema)]
pub struct TransactionList {
    success: bool,
    transactions: Vec<TransactionView<'static>>,
    pagination: shared::domain::Pagination,
}

#[derive(Serialize, ToSchema)]
pub struct SubscriptionAnswer {
    success: bool,
    subscription: SubscriptionView<'static>,
}

// ---- admin -------------------------------------------------------------------------

#[derive(Serialize, ToSchema)]
pub struct UserList {
    success: bool,
    users: Vec<Profile<'static>>,
    pagination: shared::domain::Pagination,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StatusChanged {
    success: bool,
    message: String,
    user: Profile<'static>,
    /// Refresh tokens revoked by a ban.
    revoked_sessions: u64,
    /// Running campaigns stopped by a ban.
    paused_campaigns: u64,
}

#[derive(Serialize, ToSchema)]
pub struct Dashboard {
    success: bool,
    stats: StatsView,
}

#[derive(Serialize, ToSchema)]
pub struct TemplateAnswer {
    success: bool,
    message: Option<String>,
    /// Null when no template was uploaded (the built-in one is served).
    template: Option<TemplateView<'static>>,
}

// ---- suppressions ------------------------------------------------------------------

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SuppressionView {
    /// Canonical digits (`989123456789`).
    phone: String,
    reason: Option<String>,
    created_at: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
pub struct SuppressionList {
    success: bool,
    suppressions: Vec<SuppressionView>,
    pagination: shared::domain::Pagination,
}

#[derive(Serialize, ToSchema)]
pub struct SuppressionsAdded {
    success: bool,
    message: String,
    #[serde(flatten)]
    outcome: shared::suppressions::AddOutcome,
}

// ---- uploads -----------------------------------------------------------------------

/// `multipart/form-data` with a list of numbers in `suppressionsFile` (a
/// phone column as in a recipient list).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SuppressionsUpload {
    /// .xlsx, .xls or .csv.
    #[schema(value_type = String, format = Binary)]
    suppressions_file: Vec<u8>,
}

/// `multipart/form-data` with the recipients list in `recipientsFile`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RecipientsUpload {
    /// .xlsx, .xls or .csv.
    #[schema(value_type = String, format = Binary)]
    recipients_file: Vec<u8>,
}

/// `multipart/form-data` with one file in `attachment`.
#[derive(Serialize, ToSchema)]
pub struct AttachmentUpload {
    /// An image, video or document of at most 20 MB (its type is read from
    /// the content).
    #[schema(value_type = String, format = Binary)]
    attachment: Vec<u8>,
}

/// `multipart/form-data` with the workbook in `template`.
#[derive(Serialize, ToSchema)]
pub struct TemplateUpload {
    /// An .xlsx whose first row has a phone column, at most 5 MB.
    #[schema(value_type = String, format = Binary)]
    template: Vec<u8>,
}

/// A file answer: an .xlsx workbook as bytes.
pub struct Workbook;

impl utoipa::PartialSchema for Workbook {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(utoipa::openapi::KnownFormat::Binary)))
            .into()
    }
}

impl ToSchema for Workbook {}
