//! Where a campaign's files live in S3, and their removal. Everything of a
//! campaign sits under `campaigns/{id}/`, so deleting the campaign can sweep
//! the prefix and also catch an object orphaned by an earlier failure.

use aws_sdk_s3::error::DisplayErrorContext;

use crate::storage::Storage;

pub(super) fn campaign_prefix(campaign_id: i64) -> String {
    format!("campaigns/{campaign_id}/")
}

/// `campaigns/{id}/attachments/{uuid}-{name}` with the name reduced to
/// characters that are safe in a key and a URL.
pub(super) fn attachment_key(campaign_id: i64, original_name: &str, extension: &str) -> String {
    let stem = original_name.rsplit_once('.').map_or(original_name, |(stem, _)| stem);
    let safe: String = stem
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' })
        .take(80)
        .collect();
    let safe = if safe.trim_matches('_').is_empty() { "file".to_owned() } else { safe };
    format!("{}attachments/{}-{safe}.{extension}", campaign_prefix(campaign_id), uuid::Uuid::new_v4().simple())
}

/// Best effort: the rows are already gone, so a failure here is logged and
/// leaves an unreferenced object rather than failing the request.
pub(super) async fn delete_campaign_objects(storage: &Storage, campaign_id: i64) {
    let prefix = campaign_prefix(campaign_id);
    let listed = storage.client().list_objects_v2().bucket(storage.bucket()).prefix(&prefix).send().await;
    let keys: Vec<String> = match listed {
        Ok(output) => output.contents().iter().filter_map(|o| o.key().map(str::to_owned)).collect(),
        Err(err) => {
            tracing::warn!(error = %DisplayErrorContext(err), prefix, "could not list a deleted campaign's objects");
            return;
        }
    };
    for key in keys {
        delete_object(storage, &key).await;
    }
}

pub(super) async fn delete_object(storage: &Storage, key: &str) {
    if let Err(err) = storage.delete(key).await {
        tracing::warn!(error = %err, key, "could not delete an object");
    }
}
