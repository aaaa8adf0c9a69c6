//! The JSON shapes of campaigns, recipients, attachments, previews and
//! reports (camelCase, SPEC's enum spellings). Internal fields — the
//! sender's recipient statuses, storage internals — are mapped here and
//! nowhere else.

use chrono::{DateTime, Utc};
use serde::Serialize;
use shared::{
    campaigns::{ImportOutcome, RecipientCounts, ReportFigures, UploadUrl},
    domain::{CampaignStatus, Interval, RecipientStatus, SendType, StoredRecipientStatus},
    governor::{cold::ContactKind, window::SendWindowView, WaitReason},
    repo::{attachments::AttachmentRecord, campaigns::CampaignRecord, recipients::RecipientRecord},
};

/// `campaign` in create's answer: `{id, title, status}`.
#[derive(Serialize, utoipa::ToSchema)]
pub struct CampaignSummary<'a> {
    pub id: i64,
    pub title: Option<&'a str>,
    pub status: CampaignStatus,
}

impl<'a> From<&'a CampaignRecord> for CampaignSummary<'a> {
    fn from(c: &'a CampaignRecord) -> Self {
        Self { id: c.id, title: c.title.as_deref(), status: c.status }
    }
}

/// A campaign with every field of SPEC's data model.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CampaignView<'a> {
    pub id: i64,
    pub user_id: i64,
    pub title: Option<&'a str>,
    pub message: &'a str,
    pub interval: Interval,
    pub is_scheduled: bool,
    pub scheduled_at: Option<DateTime<Utc>>,
    pub timezone: &'a str,
    pub send_type: SendType,
    pub status: CampaignStatus,
    pub failure_reason: Option<&'a str>,
    pub is_connected: bool,
    pub qr_code: Option<&'a str>,
    pub session_id: Option<&'a str>,
    pub last_activity: Option<DateTime<Utc>>,
    pub total_recipients: i32,
    pub sent_count: i32,
    pub failed_count: i32,
    pub delivered_count: i32,
    pub started_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
    pub total_messages: Option<i32>,
    pub successful_messages: Option<i32>,
    pub failed_messages: Option<i32>,
    pub delivery_rate: Option<f64>,
    pub average_delivery_time: Option<f64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The opt-out footer is appended to every message.
    pub opt_out_footer: bool,
    /// Sending hours in the campaign's time zone; `null`: any time.
    pub send_window: Option<SendWindowView>,
    /// While a RUNNING campaign may not send: until when, and why.
    pub waiting_until: Option<DateTime<Utc>>,
    #[schema(value_type = Option<WaitReason>)]
    pub wait_reason: Option<&'a str>,
    /// The WhatsApp number (account) it sends from, once linked.
    pub whatsapp_account_id: Option<i64>,
}

impl<'a> From<&'a CampaignRecord> for CampaignView<'a> {
    fn from(c: &'a CampaignRecord) -> Self {
        Self {
            id: c.id,
            user_id: c.user_id,
            title: c.title.as_deref(),
            message: &c.message,
            interval: c.interval,
            is_scheduled: c.is_scheduled,
            scheduled_at: c.scheduled_at,
            timezone: &c.timezone,
            send_type: c.send_type,
            status: c.status,
            failure_reason: c.failure_reason.as_deref(),
            is_connected: c.is_connected,
            qr_code: c.qr_code.as_deref(),
            session_id: c.session_id.as_deref(),
            last_activity: c.last_activity,
            total_recipients: c.total_recipients,
            sent_count: c.sent_count,
            failed_count: c.failed_count,
            delivered_count: c.delivered_count,
            started_at: c.started_at,
            completed_at: c.completed_at,
            total_messages: c.total_messages,
            successful_messages: c.successful_messages,
            failed_messages: c.failed_messages,
            delivery_rate: c.delivery_rate,
            average_delivery_time: c.average_delivery_time,
            created_at: c.created_at,
            updated_at: c.updated_at,
            opt_out_footer: c.opt_out_footer,
            send_window: c.send_window().map(|w| w.view()),
            waiting_until: c.waiting().map(|(until, _)| until),
            wait_reason: c.waiting().map(|(_, reason)| reason),
            whatsapp_account_id: c.whatsapp_account_id,
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct CountsView {
    pub total: u64,
    pub pending: u64,
    pub sent: u64,
    pub failed: u64,
    pub delivered: u64,
}

impl From<RecipientCounts> for CountsView {
    fn from(c: RecipientCounts) -> Self {
        Self { total: c.total, pending: c.pending, sent: c.sent, failed: c.failed, delivered: c.delivered }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AttachmentView<'a> {
    pub id: i64,
    pub campaign_id: i64,
    pub filename: &'a str,
    pub original_name: &'a str,
    pub mimetype: &'a str,
    pub size: i64,
    pub path: &'a str,
    pub created_at: DateTime<Utc>,
}

impl<'a> From<&'a AttachmentRecord> for AttachmentView<'a> {
    fn from(a: &'a AttachmentRecord) -> Self {
        Self {
            id: a.id,
            campaign_id: a.campaign_id,
            filename: &a.filename,
            original_name: &a.original_name,
            mimetype: &a.mimetype,
            size: a.size,
            path: &a.path,
            created_at: a.created_at,
        }
    }
}

/// A recipient in SPEC's terms: SENDING shows as PENDING, UNKNOWN as FAILED
/// with an explanation (see `StoredRecipientStatus::public`).
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RecipientView<'a> {
    pub id: i64,
    pub phone: &'a str,
    pub name: Option<&'a str>,
    pub status: RecipientStatus,
    pub sent_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub error: Option<&'a str>,
    /// The exact text this recipient gets (or got).
    pub text: String,
    pub read_at: Option<DateTime<Utc>>,
    pub replied_at: Option<DateTime<Utc>>,
    pub reply_text: Option<&'a str>,
    /// The reply put the number on the suppression list.
    pub opted_out: bool,
    /// `warm`: the person wrote to the campaign's WhatsApp number (sent
    /// first; WhatsApp's limits on new chats do not apply); `cold` otherwise.
    #[schema(value_type = String, example = "cold")]
    pub contact_kind: ContactKind,
}

impl<'a> RecipientView<'a> {
    pub fn new(r: &'a RecipientRecord, text: String) -> Self {
        let error = match (r.error.as_deref(), r.status) {
            (None, StoredRecipientStatus::Unknown) => {
                Some("Outcome unknown: the sender stopped while sending; not retried to avoid a duplicate")
            }
            (error, _) => error,
        };
        Self {
            id: r.id,
            phone: &r.phone,
            name: r.name.as_deref(),
            status: r.status.public(),
            sent_at: r.sent_at,
            delivered_at: r.delivered_at,
            error,
            text,
            read_at: r.read_at,
            replied_at: r.replied_at,
            reply_text: r.reply_text.as_deref(),
            opted_out: r.opted_out,
            contact_kind: r.contact_kind(),
        }
    }
}

/// The import's answer, besides `success` and `message`.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ImportView<'a> {
    pub recipients_count: u32,
    pub imported: u32,
    pub skipped: u32,
    pub duplicates: u32,
    pub total_rows: u32,
    pub skipped_rows: &'a [shared::excel::SkippedRow],
    pub skipped_rows_truncated: bool,
    /// Numbers left out because they are on the suppression list (listed
    /// in `skippedRows` with `reason: "opted out"`).
    pub opted_out: u32,
    /// Where the list was found: the header row, the phone column.
    pub layout: Option<&'a shared::excel::import::Layout>,
    /// Placeholders of the message this list has no column for and no
    /// fallback: `start` refuses until they are fixed.
    pub unresolved_placeholders: &'a [String],
    pub campaign: ImportedCampaign,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ImportedCampaign {
    pub id: i64,
    pub status: CampaignStatus,
    pub total_recipients: i32,
}

impl<'a> From<&'a ImportOutcome> for ImportView<'a> {
    fn from(o: &'a ImportOutcome) -> Self {
        Self {
            recipients_count: o.imported,
            imported: o.imported,
            skipped: o.invalid,
            duplicates: o.duplicates,
            total_rows: o.rows,
            skipped_rows: &o.skipped_rows,
            skipped_rows_truncated: (o.skipped_rows.len() as u32) < o.invalid + o.opted_out,
            opted_out: o.opted_out,
            layout: o.layout.as_ref(),
            unresolved_placeholders: &o.unresolved_placeholders,
            campaign: ImportedCampaign {
                id: o.campaign.id,
                status: o.campaign.status,
                total_recipients: o.campaign.total_recipients,
            },
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UploadUrlView<'a> {
    pub upload_url: &'a str,
    pub method: &'static str,
    #[schema(value_type = Object)]
    pub headers: serde_json::Value,
    pub key: &'a str,
    pub expires_in: u64,
    pub max_bytes: u64,
}

impl<'a> From<&'a UploadUrl> for UploadUrlView<'a> {
    fn from(u: &'a UploadUrl) -> Self {
        Self {
            upload_url: &u.url,
            method: "PUT",
            headers: serde_json::json!({ "Content-Type": u.content_type }),
            key: &u.key,
            expires_in: u.expires_in_secs,
            max_bytes: u.max_bytes,
        }
    }
}

/// Per-status counts keyed by SPEC's spelling.
#[derive(Serialize, utoipa::ToSchema)]
pub struct StatusCountsView {
    #[serde(rename = "PENDING")]
    pub pending: u64,
    #[serde(rename = "SENT")]
    pub sent: u64,
    #[serde(rename = "FAILED")]
    pub failed: u64,
    #[serde(rename = "DELIVERED")]
    pub delivered: u64,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReportView<'a> {
    pub campaign_id: i64,
    pub title: Option<&'a str>,
    pub status: CampaignStatus,
    pub total_recipients: u64,
    pub sent_count: u64,
    pub delivered_count: u64,
    pub failed_count: u64,
    pub pending_count: u64,
    pub delivery_rate: f64,
    pub average_delivery_time: Option<f64>,
    pub started_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
    pub status_counts: StatusCountsView,
    /// Messages shown as read (also counted as delivered).
    pub read_count: u64,
    pub replied_count: u64,
    /// Recipients whose reply put them on the suppression list.
    pub opted_out_count: u64,
}

impl<'a> ReportView<'a> {
    pub fn new(campaign: &'a CampaignRecord, figures: &ReportFigures) -> Self {
        let counts = figures.status_counts;
        Self {
            campaign_id: campaign.id,
            title: campaign.title.as_deref(),
            status: campaign.status,
            total_recipients: figures.total_recipients,
            sent_count: figures.sent,
            delivered_count: figures.delivered,
            failed_count: figures.failed,
            pending_count: figures.pending,
            delivery_rate: figures.delivery_rate,
            average_delivery_time: figures.average_delivery_time,
            started_at: campaign.started_at,
            completed_at: campaign.completed_at,
            status_counts: StatusCountsView {
                pending: counts.pending,
                sent: counts.sent,
                failed: counts.failed,
                delivered: counts.delivered,
            },
            read_count: figures.read,
            replied_count: figures.replied,
            opted_out_count: figures.opted_out,
        }
    }
}

/// `1h 05m 10s`-style text for an estimated duration.
pub fn duration_text(seconds: u64) -> String {
    let (hours, minutes, seconds) = (seconds / 3600, seconds % 3600 / 60, seconds % 60);
    match (hours, minutes) {
        (0, 0) => format!("{seconds}s"),
        (0, _) => format!("{minutes}m {seconds:02}s"),
        _ => format!("{hours}h {minutes:02}m {seconds:02}s"),
    }
}
