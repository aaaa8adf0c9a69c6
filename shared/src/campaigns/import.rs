//! Replacing a campaign's recipient list from a spreadsheet, uploaded in the
//! request (multipart, ≤ 5 MB) or staged in S3 (≤ 32 MB). The file is parsed
//! on a blocking thread before any write; the old list is then swapped for
//! the new one in one transaction, so a bad file changes nothing and a
//! reader never sees half a list.

use serde::Deserialize;

use super::{ensure_editable, lock_owned, objects, owned, staging};
use crate::{
    error::ApiError,
    excel::{read_recipients, RecipientList, SkippedRow},
    repo::{campaigns, campaigns::CampaignRecord, recipients},
    AppContext,
};

pub const MAX_MULTIPART_RECIPIENTS_BYTES: usize = 5 * 1024 * 1024;
pub const MAX_STAGED_RECIPIENTS_BYTES: u64 = 32 * 1024 * 1024;

pub struct ImportOutcome {
    pub campaign: CampaignRecord,
    pub imported: u32,
    pub rows: u32,
    pub invalid: u32,
    pub duplicates: u32,
    pub skipped_rows: Vec<SkippedRow>,
}

#[tracing::instrument(skip_all, fields(user.id = user_id, campaign.id = id, size = bytes.len()))]
pub async fn import_recipients(
    ctx: &AppContext,
    user_id: i64,
    id: i64,
    bytes: Vec<u8>,
) -> Result<ImportOutcome, ApiError> {
    ensure_editable(&owned(&ctx.db, id, user_id).await?, "recipient list")?;
    let list = parse(bytes).await?;
    replace_list(ctx, user_id, id, list).await
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct StagedImportInput {
    pub key: String,
}

#[tracing::instrument(skip_all, fields(user.id = user_id, campaign.id = id))]
pub async fn import_staged_recipients(
    ctx: &AppContext,
    user_id: i64,
    id: i64,
    input: StagedImportInput,
) -> Result<ImportOutcome, ApiError> {
    let key = staging::owned_key(user_id, &input.key, "key")?;
    ensure_editable(&owned(&ctx.db, id, user_id).await?, "recipient list")?;
    let bytes = staging::fetch(ctx, &key, MAX_STAGED_RECIPIENTS_BYTES).await?;
    let outcome = replace_list(ctx, user_id, id, parse(bytes).await?).await?;
    objects::delete_object(&ctx.storage, &key).await;
    Ok(outcome)
}

async fn parse(bytes: Vec<u8>) -> Result<RecipientList, ApiError> {
    let parsed = tokio::task::spawn_blocking(move || read_recipients(&bytes)).await.map_err(ApiError::internal)?;
    Ok(parsed?)
}

async fn replace_list(ctx: &AppContext, user_id: i64, id: i64, list: RecipientList) -> Result<ImportOutcome, ApiError> {
    let imported = list.recipients.len() as u32;
    let mut tx = ctx.db.begin().await?;
    // Checked again under the lock: the state may have moved while parsing.
    ensure_editable(&lock_owned(&mut *tx, id, user_id).await?, "recipient list")?;
    recipients::delete_for_campaign(&mut *tx, id).await?;
    recipients::insert_many(&mut tx, id, &list.recipients).await?;
    campaigns::mark_recipients_imported(&mut *tx, id, imported).await?;
    let campaign = owned(&mut *tx, id, user_id).await?;
    tx.commit().await?;
    tracing::info!(imported, invalid = list.invalid, duplicates = list.duplicates, "recipients imported");
    Ok(ImportOutcome {
        campaign,
        imported,
        rows: list.rows,
        invalid: list.invalid,
        duplicates: list.duplicates,
        skipped_rows: list.skipped_rows,
    })
}
