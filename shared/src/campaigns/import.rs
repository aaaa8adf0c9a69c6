//! Replacing a campaign's recipient list from a spreadsheet, uploaded in the
//! request (multipart, ≤ 5 MB) or staged in S3 (≤ 32 MB). The old list is
//! swapped for the new one in one transaction, so a bad file changes nothing
//! and a reader never sees half a list. Inside it, reading and writing
//! overlap: the file is parsed on a blocking thread that hands batches of
//! recipients over a bounded channel to the INSERTs, so an import takes
//! about as long as the slower of the two rather than their sum. A file that
//! turns out bad midway (too many rows, none valid) rolls everything back.
//! Numbers on the owner's suppression list are left out ("opted out"), and
//! the message's placeholders are checked against the list's headers (the
//! answer names the ones it cannot fill; `start` refuses them).

use serde::Deserialize;

use super::{ensure_editable, lock_owned, objects, owned, staging};
use crate::{
    error::ApiError,
    excel::{
        import::{detect_format, Layout},
        read_recipients_in_batches, RecipientList, SkippedRow,
    },
    repo::{campaigns::CampaignRecord, recipients},
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
    /// Left out: on the suppression list.
    pub opted_out: u32,
    pub skipped_rows: Vec<SkippedRow>,
    pub layout: Option<Layout>,
    /// Placeholders of the message this list cannot fill.
    pub unresolved_placeholders: Vec<String>,
}

#[tracing::instrument(skip_all, fields(user.id = user_id, campaign.id = id, size = bytes.len()))]
pub async fn import_recipients(
    ctx: &AppContext,
    user_id: i64,
    id: i64,
    bytes: Vec<u8>,
) -> Result<ImportOutcome, ApiError> {
    ensure_editable(&owned(&ctx.db, id, user_id).await?, "recipient list")?;
    replace_list(ctx, user_id, id, bytes).await
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
    let outcome = replace_list(ctx, user_id, id, bytes).await?;
    objects::delete_object(&ctx.storage, &key).await;
    Ok(outcome)
}

/// Batches parsed ahead of the INSERTs: enough to keep the database busy,
/// few enough that memory stays small.
const BATCHES_IN_FLIGHT: usize = 4;

/// How often an import is run whole before its error is answered.
const IMPORT_TRIES: u32 = 6;

/// Two imports at once can still meet in InnoDB (the unique index's
/// duplicate checks lock gaps too); MySQL then rolls one back whole (1213) or
/// gives up waiting (1205), and the import is simply run again, parse and
/// all, a few more times than a short transaction would be.
async fn replace_list(ctx: &AppContext, user_id: i64, id: i64, bytes: Vec<u8>) -> Result<ImportOutcome, ApiError> {
    let bytes: std::sync::Arc<[u8]> = bytes.into();
    crate::db::retry_transaction_up_to(IMPORT_TRIES, || replace_list_once(ctx, user_id, id, bytes.clone())).await
}

async fn replace_list_once(
    ctx: &AppContext,
    user_id: i64,
    id: i64,
    bytes: std::sync::Arc<[u8]>,
) -> Result<ImportOutcome, ApiError> {
    let started = std::time::Instant::now();
    // Not a spreadsheet at all: refused before any lock or write.
    detect_format(&bytes)?;
    let suppressed = crate::suppressions::suppressed_set(&ctx.db, user_id).await?;
    let (batches_out, mut batches) = tokio::sync::mpsc::channel(BATCHES_IN_FLIGHT);
    // If the writing side fails and returns, the channel closes and the
    // parser stops at its next batch (`Abandoned`, never seen by anyone).
    let parser = tokio::task::spawn_blocking(move || {
        read_recipients_in_batches(&bytes, recipients::ROWS_PER_INSERT, suppressed, |batch| {
            batches_out.blocking_send(batch).is_ok()
        })
    });
    let mut tx = ctx.db.begin().await?;
    // Checked again under the lock: the state may have moved meanwhile.
    let locked = lock_owned(&mut *tx, id, user_id).await?;
    ensure_editable(&locked, "recipient list")?;
    recipients::delete_for_campaign(&mut tx, id).await?;
    while let Some(batch) = batches.recv().await {
        recipients::insert_many(&mut tx, id, &batch).await?;
    }
    // A parse error here drops `tx`: the delete and the inserts roll back.
    let list: RecipientList = parser.await.map_err(ApiError::internal)??;
    let imported = list.accepted;
    let columns = list.layout.as_ref().map(|l| l.columns.clone()).unwrap_or_default();
    super::run::recipients_imported(&mut *tx, &locked, imported, &columns).await?;
    let campaign = owned(&mut *tx, id, user_id).await?;
    tx.commit().await?;
    tracing::info!(imported, invalid = list.invalid, duplicates = list.duplicates, "recipients imported");
    let unresolved_placeholders = super::personal::unresolved_placeholders(&campaign);
    crate::metrics::count("ImportRows", list.rows.into(), &[]);
    crate::metrics::duration("ImportTime", started.elapsed(), &[]);
    Ok(ImportOutcome {
        campaign,
        imported,
        rows: list.rows,
        invalid: list.invalid,
        duplicates: list.duplicates,
        opted_out: list.opted_out,
        skipped_rows: list.skipped_rows,
        layout: list.layout,
        unresolved_placeholders,
    })
}
