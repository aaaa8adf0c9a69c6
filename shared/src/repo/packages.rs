//! The `packages` table.

use chrono::{DateTime, Utc};
use sqlx::MySqlExecutor;

use crate::domain::{PackageFields, PackageStatus};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PackageRecord {
    pub id: i64,
    pub title: String,
    pub description: Option<String>,
    pub price: i64,
    pub duration: i32,
    pub category: Option<String>,
    #[sqlx(try_from = "String")]
    pub status: PackageStatus,
    pub message_limit: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const COLUMNS: &str =
    "id, title, description, price, duration, category, status, message_limit, created_at, updated_at";

pub async fn insert(db: impl MySqlExecutor<'_>, fields: &PackageFields) -> Result<i64, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO packages (title, description, price, duration, category, message_limit, status) \
         VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&fields.title)
    .bind(&fields.description)
    .bind(fields.price.value())
    .bind(fields.duration_days)
    .bind(&fields.category)
    .bind(fields.message_limit)
    .bind(fields.status.as_str())
    .execute(db)
    .await?;
    Ok(done.last_insert_id() as i64)
}

pub async fn update(db: impl MySqlExecutor<'_>, id: i64, fields: &PackageFields) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE packages SET title = ?, description = ?, price = ?, duration = ?, category = ?, \
         message_limit = ?, status = ? WHERE id = ?",
    )
    .bind(&fields.title)
    .bind(&fields.description)
    .bind(fields.price.value())
    .bind(fields.duration_days)
    .bind(&fields.category)
    .bind(fields.message_limit)
    .bind(fields.status.as_str())
    .bind(id)
    .execute(db)
    .await?;
    Ok(())
}

pub async fn find_by_id(db: impl MySqlExecutor<'_>, id: i64) -> Result<Option<PackageRecord>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM packages WHERE id = ?")).bind(id).fetch_optional(db).await
}

pub async fn find_for_update(db: impl MySqlExecutor<'_>, id: i64) -> Result<Option<PackageRecord>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM packages WHERE id = ? FOR UPDATE")).bind(id).fetch_optional(db).await
}

/// Cheapest first; every status when `status` is `None`.
pub async fn list(
    db: impl MySqlExecutor<'_>,
    status: Option<PackageStatus>,
) -> Result<Vec<PackageRecord>, sqlx::Error> {
    let status = status.map(PackageStatus::as_str);
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM packages WHERE (? IS NULL OR status = ?) ORDER BY price, id"))
        .bind(status)
        .bind(status)
        .fetch_all(db)
        .await
}

/// Fails with a foreign-key violation while orders or grants refer to it.
pub async fn delete(db: impl MySqlExecutor<'_>, id: i64) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("DELETE FROM packages WHERE id = ?").bind(id).execute(db).await?;
    Ok(done.rows_affected() == 1)
}

pub async fn set_status(db: impl MySqlExecutor<'_>, id: i64, status: PackageStatus) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE packages SET status = ? WHERE id = ?").bind(status.as_str()).bind(id).execute(db).await?;
    Ok(())
}
