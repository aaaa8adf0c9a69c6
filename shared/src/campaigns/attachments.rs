//! The campaign's one attachment, stored in S3 under
//! `campaigns/{id}/attachments/`. Its type is decided by its bytes
//! ([`crate::media::sniff`]); the client's file name is kept for display
//! only and its claimed MIME type is ignored. Replacing an attachment
//! deletes the old object once the new row is committed.

use std::time::Duration;

use serde::Deserialize;

use super::{ensure_editable, lock_owned, objects, owned, staging};
use crate::{
    error::ApiError,
    media::{self, MediaType},
    repo::attachments::{self, AttachmentRecord, NewAttachment},
    AppContext,
};

pub const MAX_ATTACHMENT_BYTES: usize = 20 * 1024 * 1024;
const DOWNLOAD_URL_TTL: Duration = Duration::from_secs(15 * 60);

/// A file as uploaded: its bytes and the name the client gave it.
pub struct UploadedFile {
    pub original_name: String,
    pub bytes: Vec<u8>,
}

pub struct AttachmentDetails {
    pub attachment: AttachmentRecord,
    pub download_url: String,
    pub expires_in_secs: u64,
}

pub struct StagedAttachment {
    pub temp_filename: String,
    pub original_name: String,
    pub media: MediaType,
    pub size: u64,
}

fn too_large() -> ApiError {
    ApiError::PayloadTooLarge(format!("An attachment may be at most {} MB", MAX_ATTACHMENT_BYTES / (1024 * 1024)))
}

fn detect(bytes: &[u8]) -> Result<MediaType, ApiError> {
    if bytes.len() > MAX_ATTACHMENT_BYTES {
        return Err(too_large());
    }
    media::sniff(bytes).ok_or_else(|| {
        ApiError::UnsupportedMediaType(
            "Unsupported file type: attach an image (JPEG, PNG, GIF, WebP), a video (MP4, MOV, WebM, MKV, AVI) \
             or a document (PDF, Word, Excel, PowerPoint, OpenDocument, RTF)"
                .into(),
        )
    })
}

/// The last path segment of a client-given name, without control
/// characters, at most 255 characters; a generic name if nothing is left.
fn display_name(raw: &str, media: &MediaType) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let clean: String = base.chars().filter(|c| !c.is_control()).take(255).collect();
    match clean.trim() {
        "" => format!("attachment.{}", media.extension),
        name => name.to_owned(),
    }
}

#[tracing::instrument(skip_all, fields(user.id = user_id, campaign.id = id, size = file.bytes.len()))]
pub async fn upload_attachment(
    ctx: &AppContext,
    user_id: i64,
    id: i64,
    file: UploadedFile,
) -> Result<AttachmentRecord, ApiError> {
    let media = detect(&file.bytes)?;
    ensure_editable(&owned(&ctx.db, id, user_id).await?, "attachment")?;
    let name = display_name(&file.original_name, &media);
    attach(ctx, user_id, id, &name, &media, file.bytes).await
}

/// `attachment/temp`: check the file now, keep it under `staging/` until a
/// confirm names it.
#[tracing::instrument(skip_all, fields(user.id = user_id, campaign.id = id, size = file.bytes.len()))]
pub async fn stage_attachment(
    ctx: &AppContext,
    user_id: i64,
    id: i64,
    file: UploadedFile,
) -> Result<StagedAttachment, ApiError> {
    let media = detect(&file.bytes)?;
    ensure_editable(&owned(&ctx.db, id, user_id).await?, "attachment")?;
    let key = staging::new_key(user_id);
    let size = file.bytes.len() as u64;
    ctx.storage.put(&key, file.bytes, media.mime).await.map_err(ApiError::internal)?;
    Ok(StagedAttachment { temp_filename: key, original_name: display_name(&file.original_name, &media), media, size })
}

/// `attachment/confirm`. `mimetype` is accepted for compatibility; the
/// stored type is what the bytes are.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConfirmAttachmentInput {
    pub temp_filename: String,
    pub original_name: Option<String>,
    pub mimetype: Option<String>,
}

#[tracing::instrument(skip_all, fields(user.id = user_id, campaign.id = id))]
pub async fn confirm_staged_attachment(
    ctx: &AppContext,
    user_id: i64,
    id: i64,
    input: ConfirmAttachmentInput,
) -> Result<AttachmentRecord, ApiError> {
    let key = staging::owned_key(user_id, &input.temp_filename, "tempFilename")?;
    ensure_editable(&owned(&ctx.db, id, user_id).await?, "attachment")?;
    let bytes = staging::fetch(ctx, &key, MAX_ATTACHMENT_BYTES as u64).await?;
    let media = match detect(&bytes) {
        Ok(media) => media,
        Err(err) => {
            objects::delete_object(&ctx.storage, &key).await;
            return Err(err);
        }
    };
    let name = display_name(input.original_name.as_deref().unwrap_or(""), &media);
    let attachment = attach(ctx, user_id, id, &name, &media, bytes).await?;
    objects::delete_object(&ctx.storage, &key).await;
    Ok(attachment)
}

/// Store the object, then swap the row in one transaction; clean up
/// whichever object lost.
async fn attach(
    ctx: &AppContext,
    user_id: i64,
    id: i64,
    original_name: &str,
    media: &MediaType,
    bytes: Vec<u8>,
) -> Result<AttachmentRecord, ApiError> {
    let key = objects::attachment_key(id, original_name, media.extension);
    let size = bytes.len() as u64;
    ctx.storage.put(&key, bytes, media.mime).await.map_err(ApiError::internal)?;
    let swapped = async {
        let mut tx = ctx.db.begin().await?;
        ensure_editable(&lock_owned(&mut *tx, id, user_id).await?, "attachment")?;
        let previous = attachments::find_for_campaign(&mut *tx, id).await?;
        attachments::delete_for_campaign(&mut *tx, id).await?;
        let filename = key.rsplit('/').next().unwrap_or(&key);
        let new = NewAttachment { campaign_id: id, filename, original_name, mimetype: media.mime, size, path: &key };
        attachments::insert(&mut *tx, new).await?;
        let current = attachments::find_for_campaign(&mut *tx, id).await?;
        tx.commit().await?;
        Ok::<_, ApiError>((current, previous))
    }
    .await;
    match swapped {
        Ok((Some(current), previous)) => {
            if let Some(previous) = previous {
                objects::delete_object(&ctx.storage, &previous.path).await;
            }
            tracing::info!(mimetype = media.mime, size, "attachment stored");
            Ok(current)
        }
        Ok((None, _)) => Err(ApiError::internal(anyhow::anyhow!("attachment row vanished"))),
        Err(err) => {
            objects::delete_object(&ctx.storage, &key).await;
            Err(err)
        }
    }
}

fn attachment_not_found() -> ApiError {
    ApiError::not_found("Attachment")
}

pub async fn get_attachment(ctx: &AppContext, user_id: i64, id: i64) -> Result<AttachmentDetails, ApiError> {
    owned(&ctx.db, id, user_id).await?;
    let attachment = attachments::find_for_campaign(&ctx.db, id).await?.ok_or_else(attachment_not_found)?;
    let download_url = ctx
        .storage
        .presigned_get(&attachment.path, DOWNLOAD_URL_TTL, Some(&attachment.original_name))
        .await
        .map_err(ApiError::internal)?;
    Ok(AttachmentDetails { attachment, download_url, expires_in_secs: DOWNLOAD_URL_TTL.as_secs() })
}

#[tracing::instrument(skip_all, fields(user.id = user_id, campaign.id = id))]
pub async fn delete_attachment(ctx: &AppContext, user_id: i64, id: i64) -> Result<(), ApiError> {
    let mut tx = ctx.db.begin().await?;
    ensure_editable(&lock_owned(&mut *tx, id, user_id).await?, "attachment")?;
    let attachment = attachments::find_for_campaign(&mut *tx, id).await?.ok_or_else(attachment_not_found)?;
    attachments::delete_for_campaign(&mut *tx, id).await?;
    tx.commit().await?;
    objects::delete_object(&ctx.storage, &attachment.path).await;
    Ok(())
}
