//! The `attachments` table: at most one row per campaign (a unique key).

use chrono::{DateTime, Utc};
use sqlx::MySqlExecutor;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AttachmentRecord {
    pub id: i64,
    pub campaign_id: i64,
    pub filename: String,
    pub original_name: String,
    pub mimetype: String,
    pub size: i64,
    /// The S3 key.
    pub path: String,
    pub created_at: DateTime<Utc>,
}

pub struct NewAttachment<'a> {
    pub campaign_id: i64,
    pub filename: &'a str,
    pub original_name: &'a str,
    pub mimetype: &'a str,
    pub size: u64,
    pub path: &'a str,
}

const COLUMNS: &str = "id, campaign_id, filename, original_name, mimetype, size, path, created_at";

pub async fn find_for_campaign(
    db: impl MySqlExecutor<'_>,
    campaign_id: i64,
) -> Result<Option<AttachmentRecord>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM attachments WHERE campaign_id = ?"))
        .bind(campaign_id)
        .fetch_optional(db)
        .await
}

pub async fn insert(db: impl MySqlExecutor<'_>, attachment: NewAttachment<'_>) -> Result<i64, sqlx::Error> {
    let result = sqlx::query(
        "INSERT INTO attachments (campaign_id, filename, original_name, mimetype, size, path) VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(attachment.campaign_id)
    .bind(attachment.filename)
    .bind(attachment.original_name)
    .bind(attachment.mimetype)
    .bind(attachment.size)
    .bind(attachment.path)
    .execute(db)
    .await?;
    Ok(result.last_insert_id() as i64)
}

pub async fn delete_for_campaign(db: impl MySqlExecutor<'_>, campaign_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM attachments WHERE campaign_id = ?").bind(campaign_id).execute(db).await?;
    Ok(())
}
