//! The presigned path around API Gateway's ~6 MB request limit: the client
//! asks for a URL, PUTs the file straight to S3 under
//! `staging/{userId}/{uuid}`, then names that key to an import or confirm
//! endpoint. The bucket expires `staging/` objects after a day, so an
//! abandoned upload cleans itself up. A key is accepted only from the user
//! whose id it carries.

use std::time::Duration;

use super::{ensure_editable, owned};
use crate::{error::ApiError, AppContext};

pub const STAGING_PREFIX: &str = "staging/";
const UPLOAD_URL_TTL: Duration = Duration::from_secs(15 * 60);
/// What the presigned PUT is signed for; the client must send exactly this.
pub const UPLOAD_CONTENT_TYPE: &str = "application/octet-stream";

pub struct UploadUrl {
    pub url: String,
    pub key: String,
    pub content_type: &'static str,
    pub expires_in_secs: u64,
    pub max_bytes: u64,
}

pub(super) fn new_key(user_id: i64) -> String {
    format!("{STAGING_PREFIX}{user_id}/{}", uuid::Uuid::new_v4().simple())
}

/// The key, if it is one this user staged: 400 for something that is not a
/// staging key at all, 404 for another user's (as if it did not exist).
pub(super) fn owned_key(user_id: i64, key: &str, field: &str) -> Result<String, ApiError> {
    let key = key.trim();
    let malformed = || ApiError::field(field, "is not a staged upload key");
    let rest = key.strip_prefix(STAGING_PREFIX).ok_or_else(malformed)?;
    let (owner, id) = rest.split_once('/').ok_or_else(malformed)?;
    let owner: i64 = owner.parse().map_err(|_| malformed())?;
    if id.len() != 32 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(malformed());
    }
    if owner != user_id {
        return Err(staged_not_found());
    }
    Ok(key.to_owned())
}

pub(super) fn staged_not_found() -> ApiError {
    ApiError::NotFound("Staged file not found (upload it first; staged files expire after a day)".into())
}

async fn upload_url(ctx: &AppContext, user_id: i64, max_bytes: u64) -> Result<UploadUrl, ApiError> {
    let key = new_key(user_id);
    let url = ctx.storage.presigned_put(&key, UPLOAD_CONTENT_TYPE, UPLOAD_URL_TTL).await.map_err(ApiError::internal)?;
    Ok(UploadUrl { url, key, content_type: UPLOAD_CONTENT_TYPE, expires_in_secs: UPLOAD_URL_TTL.as_secs(), max_bytes })
}

pub async fn recipients_upload_url(ctx: &AppContext, user_id: i64, campaign_id: i64) -> Result<UploadUrl, ApiError> {
    ensure_editable(&owned(&ctx.db, campaign_id, user_id).await?, "recipient list")?;
    upload_url(ctx, user_id, super::import::MAX_STAGED_RECIPIENTS_BYTES).await
}

pub async fn attachment_upload_url(ctx: &AppContext, user_id: i64, campaign_id: i64) -> Result<UploadUrl, ApiError> {
    ensure_editable(&owned(&ctx.db, campaign_id, user_id).await?, "attachment")?;
    upload_url(ctx, user_id, super::attachments::MAX_ATTACHMENT_BYTES as u64).await
}

/// The staged object's bytes, if it exists and is at most `max_bytes`;
/// a larger one is deleted and refused with 413.
pub(super) async fn fetch(ctx: &AppContext, key: &str, max_bytes: u64) -> Result<Vec<u8>, ApiError> {
    let size = ctx.storage.size(key).await.map_err(ApiError::internal)?.ok_or_else(staged_not_found)?;
    if size > max_bytes {
        super::objects::delete_object(&ctx.storage, key).await;
        return Err(ApiError::PayloadTooLarge(format!("The file is larger than {} MB", max_bytes / (1024 * 1024))));
    }
    let object = ctx.storage.get(key).await.map_err(ApiError::internal)?.ok_or_else(staged_not_found)?;
    Ok(object.bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_belong_to_their_user() {
        let key = new_key(7);
        assert_eq!(owned_key(7, &key, "key").unwrap(), key);
        assert!(matches!(owned_key(8, &key, "key"), Err(ApiError::NotFound(_))));
        for bad in ["", "staging/7/../8/x", "campaigns/1/attachments/x", "staging/7/short", "staging/x/0123"] {
            assert!(matches!(owned_key(7, bad, "key"), Err(ApiError::Validation { .. })), "{bad}");
        }
    }
}
