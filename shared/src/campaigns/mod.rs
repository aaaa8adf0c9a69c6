//! Campaign operations behind the campaigns API: create, list, read, rename,
//! re-pace and delete; import recipient lists (multipart or staged in S3);
//! the attachment; the recipient list; preview; reports and workbooks;
//! each recipient's personal text (`personal`); a campaign's life (`run`)
//! and its scheduled starts (`schedule`).
//!
//! Every operation takes the caller's id and finds the campaign through it,
//! so another tenant's campaign is a 404 everywhere. Each operation owns its
//! unit of work (one transaction) and returns domain values; shaping JSON is
//! the handlers' job. S3 objects are written before the transaction that
//! points at them and deleted after the one that stops pointing at them, so
//! a failure leaves at worst an unreferenced object, never a dangling row.

mod attachments;
mod crud;
mod import;
mod objects;
pub mod personal;
mod preview;
mod recipients;
mod report;
pub mod run;
pub mod schedule;
mod staging;
mod template;

pub use attachments::{
    confirm_staged_attachment, delete_attachment, get_attachment, stage_attachment, upload_attachment,
    AttachmentDetails, ConfirmAttachmentInput, StagedAttachment, UploadedFile, MAX_ATTACHMENT_BYTES,
};
pub use crud::{
    create, delete, get_details, list, rename, set_interval, set_send_window, CampaignDetails, CreateCampaignInput,
    IntervalInput, ListCampaignsQuery, RecipientCounts, SendWindowInput, TitleInput,
};
pub use import::{
    import_recipients, import_staged_recipients, ImportOutcome, StagedImportInput, MAX_MULTIPART_RECIPIENTS_BYTES,
};
pub use preview::{preview, Preview};
pub use recipients::{list_recipients, RecipientListQuery, RecipientPage};
pub use report::{
    campaign_report, download_report, download_reports, CampaignReport, Download, ReportFigures, ReportsInput,
};
pub use staging::{attachment_upload_url, recipients_upload_url, UploadUrl};
pub use template::recipients_template;

use crate::{domain::CampaignStatus, error::ApiError, repo::campaigns::CampaignRecord};

fn not_found() -> ApiError {
    ApiError::not_found("Campaign")
}

/// The owner's campaign, or a 404 that does not tell "someone else's" apart
/// from "missing".
async fn owned(db: impl sqlx::MySqlExecutor<'_>, id: i64, user_id: i64) -> Result<CampaignRecord, ApiError> {
    crate::repo::campaigns::find_owned(db, id, user_id).await?.ok_or_else(not_found)
}

async fn lock_owned(db: impl sqlx::MySqlExecutor<'_>, id: i64, user_id: i64) -> Result<CampaignRecord, ApiError> {
    crate::repo::campaigns::lock_owned(db, id, user_id).await?.ok_or_else(not_found)
}

/// 409 unless the campaign is still being prepared (DRAFT or READY).
fn ensure_editable(campaign: &CampaignRecord, what: &str) -> Result<(), ApiError> {
    if campaign.status.is_editable() {
        return Ok(());
    }
    Err(ApiError::Conflict {
        code: "INVALID_CAMPAIGN_STATE",
        message: format!(
            "The {what} can only change while the campaign is {} or {}; it is {}",
            CampaignStatus::Draft,
            CampaignStatus::Ready,
            campaign.status
        ),
    })
}
