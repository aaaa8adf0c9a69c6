//! The `suppressions` table: per owner, the numbers never to be messaged.

use chrono::{DateTime, Utc};
use sqlx::{MySql, MySqlExecutor, QueryBuilder};

use crate::domain::Phone;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SuppressionRecord {
    pub phone: String,
    pub reason: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// Rows per INSERT (two placeholders each, far below the statement limit).
const ROWS_PER_INSERT: usize = 2_000;

/// Add numbers (already listed ones keep their first reason), on one
/// connection (normally a transaction). Returns how many were new.
pub async fn insert_many(
    conn: &mut sqlx::MySqlConnection,
    user_id: i64,
    phones: &[Phone],
    reason: Option<&str>,
) -> Result<u64, sqlx::Error> {
    // Counted, not read from the affected rows: sqlx asks MySQL for found
    // rows, which counts an untouched duplicate as affected.
    let before = count(&mut *conn, user_id, None).await?;
    for chunk in phones.chunks(ROWS_PER_INSERT) {
        let mut query = QueryBuilder::<MySql>::new("INSERT INTO suppressions (user_id, phone, reason) ");
        query.push_values(chunk, |mut row, phone| {
            row.push_bind(user_id).push_bind(phone.as_str()).push_bind(reason);
        });
        query.push(" ON DUPLICATE KEY UPDATE id = id");
        query.build().execute(&mut *conn).await?;
    }
    Ok(count(&mut *conn, user_id, None).await?.saturating_sub(before))
}

fn push_where<'a>(query: &mut QueryBuilder<'a, MySql>, user_id: i64, search: Option<&'a str>) {
    query.push(" WHERE user_id = ").push_bind(user_id);
    if let Some(digits) = search {
        query.push(" AND phone LIKE ").push_bind(format!("%{digits}%"));
    }
}

/// A page of the owner's list, newest first; `search` is digits only.
pub async fn page(
    db: impl MySqlExecutor<'_>,
    user_id: i64,
    search: Option<&str>,
    limit: u32,
    offset: u64,
) -> Result<Vec<SuppressionRecord>, sqlx::Error> {
    let mut query = QueryBuilder::<MySql>::new("SELECT phone, reason, created_at FROM suppressions");
    push_where(&mut query, user_id, search);
    query.push(" ORDER BY created_at DESC, id DESC LIMIT ").push_bind(limit).push(" OFFSET ").push_bind(offset);
    query.build_query_as().fetch_all(db).await
}

pub async fn count(db: impl MySqlExecutor<'_>, user_id: i64, search: Option<&str>) -> Result<u64, sqlx::Error> {
    let mut query = QueryBuilder::<MySql>::new("SELECT COUNT(*) FROM suppressions");
    push_where(&mut query, user_id, search);
    let count: i64 = query.build_query_scalar().fetch_one(db).await?;
    Ok(count as u64)
}

pub async fn delete(db: impl MySqlExecutor<'_>, user_id: i64, phone: &Phone) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("DELETE FROM suppressions WHERE user_id = ? AND phone = ?")
        .bind(user_id)
        .bind(phone.as_str())
        .execute(db)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Every number on the owner's list (for an import to leave out).
pub async fn all_phones(db: impl MySqlExecutor<'_>, user_id: i64) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT phone FROM suppressions WHERE user_id = ?").bind(user_id).fetch_all(db).await
}

pub async fn contains(db: impl MySqlExecutor<'_>, user_id: i64, phone: &str) -> Result<bool, sqlx::Error> {
    let found: Option<i32> = sqlx::query_scalar("SELECT 1 FROM suppressions WHERE user_id = ? AND phone = ?")
        .bind(user_id)
        .bind(phone)
        .fetch_optional(db)
        .await?;
    Ok(found.is_some())
}
