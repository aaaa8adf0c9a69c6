//! `recipient_templates`: who replaced the recipients template, when, and
//! what it was called; the newest row describes the file in S3.

use chrono::{DateTime, Utc};
use sqlx::MySqlExecutor;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TemplateRecord {
    pub id: i64,
    pub original_name: String,
    pub size: i64,
    pub uploaded_by: Option<i64>,
    pub uploaded_at: DateTime<Utc>,
}

pub async fn insert(
    db: impl MySqlExecutor<'_>,
    original_name: &str,
    size: i64,
    uploaded_by: i64,
) -> Result<i64, sqlx::Error> {
    let done = sqlx::query("INSERT INTO recipient_templates (original_name, size, uploaded_by) VALUES (?, ?, ?)")
        .bind(original_name)
        .bind(size)
        .bind(uploaded_by)
        .execute(db)
        .await?;
    Ok(done.last_insert_id() as i64)
}

pub async fn find_by_id(db: impl MySqlExecutor<'_>, id: i64) -> Result<Option<TemplateRecord>, sqlx::Error> {
    sqlx::query_as("SELECT id, original_name, size, uploaded_by, uploaded_at FROM recipient_templates WHERE id = ?")
        .bind(id)
        .fetch_optional(db)
        .await
}

pub async fn latest(db: impl MySqlExecutor<'_>) -> Result<Option<TemplateRecord>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, original_name, size, uploaded_by, uploaded_at FROM recipient_templates ORDER BY id DESC LIMIT 1",
    )
    .fetch_optional(db)
    .await
}
