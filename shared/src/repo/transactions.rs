//! The `transactions` table: at most one per order (its latest payment
//! attempt), found by order or by the gateway's authority.

use chrono::{DateTime, Utc};
use sqlx::MySqlExecutor;

use crate::domain::{GatewayKind, PageRequest, TransactionStatus};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TransactionRecord {
    pub id: i64,
    pub order_id: i64,
    pub amount: i64,
    #[sqlx(try_from = "String")]
    pub status: TransactionStatus,
    #[sqlx(try_from = "String")]
    pub gateway: GatewayKind,
    pub authority: Option<String>,
    pub ref_id: Option<String>,
    /// The gateway's own answer, as JSON text.
    pub gateway_data: Option<String>,
    pub payment_date: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A transaction with who paid for what, for listings.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TransactionListing {
    #[sqlx(flatten)]
    pub transaction: TransactionRecord,
    pub user_id: i64,
    pub user_name: String,
    pub user_email: String,
    pub package_id: i64,
    pub package_title: String,
}

/// Which transactions a listing shows; `None` means any.
#[derive(Debug, Clone, Copy, Default)]
pub struct TransactionFilter {
    pub user_id: Option<i64>,
    pub status: Option<TransactionStatus>,
}

const COLUMNS: &str = "t.id, t.order_id, t.amount, t.status, t.gateway, t.authority, t.ref_id, t.gateway_data, \
     t.payment_date, t.created_at, t.updated_at";

/// Start (or restart) the order's payment attempt under a new authority.
/// The caller holds the order's lock and has checked it is not paid.
pub async fn upsert_pending(
    db: impl MySqlExecutor<'_>,
    order_id: i64,
    amount: i64,
    gateway: GatewayKind,
    authority: &str,
) -> Result<(), sqlx::Error> {
    // VALUES() rather than MySQL 8's row alias, which MariaDB lacks.
    sqlx::query(
        "INSERT INTO transactions (order_id, amount, gateway, authority, status) VALUES (?, ?, ?, ?, 'PENDING') \
         ON DUPLICATE KEY UPDATE amount = VALUES(amount), gateway = VALUES(gateway), authority = VALUES(authority), \
         status = 'PENDING', ref_id = NULL, gateway_data = NULL, payment_date = NULL",
    )
    .bind(order_id)
    .bind(amount)
    .bind(gateway.as_str())
    .bind(authority)
    .execute(db)
    .await?;
    Ok(())
}

pub async fn find_by_order(
    db: impl MySqlExecutor<'_>,
    order_id: i64,
) -> Result<Option<TransactionRecord>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM transactions t WHERE t.order_id = ?"))
        .bind(order_id)
        .fetch_optional(db)
        .await
}

pub async fn find_by_order_for_update(
    db: impl MySqlExecutor<'_>,
    order_id: i64,
) -> Result<Option<TransactionRecord>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM transactions t WHERE t.order_id = ? FOR UPDATE"))
        .bind(order_id)
        .fetch_optional(db)
        .await
}

pub async fn find_by_authority(
    db: impl MySqlExecutor<'_>,
    authority: &str,
) -> Result<Option<TransactionRecord>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM transactions t WHERE t.authority = ?"))
        .bind(authority)
        .fetch_optional(db)
        .await
}

pub async fn mark_success(
    db: impl MySqlExecutor<'_>,
    id: i64,
    authority: &str,
    ref_id: &str,
    gateway_data: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE transactions SET status = 'SUCCESS', authority = ?, ref_id = ?, gateway_data = ?, \
         payment_date = CURRENT_TIMESTAMP(3) WHERE id = ?",
    )
    .bind(authority)
    .bind(ref_id)
    .bind(gateway_data)
    .bind(id)
    .execute(db)
    .await?;
    Ok(())
}

pub async fn mark_failure(db: impl MySqlExecutor<'_>, id: i64, gateway_data: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE transactions SET status = 'FAILURE', gateway_data = ? WHERE id = ?")
        .bind(gateway_data)
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

const FILTER: &str = "(? IS NULL OR o.user_id = ?) AND (? IS NULL OR t.status = ?)";

/// Newest first.
pub async fn list(
    db: impl MySqlExecutor<'_>,
    filter: TransactionFilter,
    page: PageRequest,
) -> Result<Vec<TransactionListing>, sqlx::Error> {
    let status = filter.status.map(TransactionStatus::as_str);
    sqlx::query_as(&format!(
        "SELECT {COLUMNS}, u.id AS user_id, u.name AS user_name, u.email AS user_email, \
         p.id AS package_id, p.title AS package_title \
         FROM transactions t JOIN orders o ON o.id = t.order_id JOIN users u ON u.id = o.user_id \
         JOIN packages p ON p.id = o.package_id \
         WHERE {FILTER} ORDER BY t.created_at DESC, t.id DESC LIMIT ? OFFSET ?"
    ))
    .bind(filter.user_id)
    .bind(filter.user_id)
    .bind(status)
    .bind(status)
    .bind(page.limit)
    .bind(page.offset())
    .fetch_all(db)
    .await
}

pub async fn count(db: impl MySqlExecutor<'_>, filter: TransactionFilter) -> Result<i64, sqlx::Error> {
    let status = filter.status.map(TransactionStatus::as_str);
    sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM transactions t JOIN orders o ON o.id = t.order_id WHERE {FILTER}"
    ))
    .bind(filter.user_id)
    .bind(filter.user_id)
    .bind(status)
    .bind(status)
    .fetch_one(db)
    .await
}
