//! The `orders` table. Reads for a user are scoped to that user in SQL, so
//! another tenant's order is simply not found.

use chrono::{DateTime, Utc};
use sqlx::MySqlExecutor;

use crate::domain::{OrderStatus, PageRequest, TransactionStatus};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OrderRecord {
    pub id: i64,
    pub user_id: i64,
    pub package_id: i64,
    #[sqlx(try_from = "String")]
    pub status: OrderStatus,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// An order as its buyer lists it: with the package and the payment state.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OrderSummary {
    pub id: i64,
    #[sqlx(try_from = "String")]
    pub status: OrderStatus,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub package_id: i64,
    pub package_title: String,
    pub package_price: i64,
    pub package_duration: i32,
    pub package_message_limit: i32,
    pub transaction_id: Option<i64>,
    transaction_status: Option<String>,
    pub ref_id: Option<String>,
}

impl OrderSummary {
    pub fn transaction_status(&self) -> Option<TransactionStatus> {
        self.transaction_status.as_deref().and_then(|s| s.parse().ok())
    }
}

const COLUMNS: &str = "id, user_id, package_id, status, created_at, updated_at";

pub async fn insert(db: impl MySqlExecutor<'_>, user_id: i64, package_id: i64) -> Result<i64, sqlx::Error> {
    let done = sqlx::query("INSERT INTO orders (user_id, package_id) VALUES (?, ?)")
        .bind(user_id)
        .bind(package_id)
        .execute(db)
        .await?;
    Ok(done.last_insert_id() as i64)
}

pub async fn find_by_id(db: impl MySqlExecutor<'_>, id: i64) -> Result<Option<OrderRecord>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM orders WHERE id = ?")).bind(id).fetch_optional(db).await
}

/// The order if it belongs to `user_id`.
pub async fn find_owned(db: impl MySqlExecutor<'_>, id: i64, user_id: i64) -> Result<Option<OrderRecord>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM orders WHERE id = ? AND user_id = ?"))
        .bind(id)
        .bind(user_id)
        .fetch_optional(db)
        .await
}

/// The order, locked until the transaction ends: settling a payment holds
/// this lock, so concurrent verifications of one order run one at a time.
pub async fn find_for_update(db: impl MySqlExecutor<'_>, id: i64) -> Result<Option<OrderRecord>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM orders WHERE id = ? FOR UPDATE")).bind(id).fetch_optional(db).await
}

pub async fn set_status(db: impl MySqlExecutor<'_>, id: i64, status: OrderStatus) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE orders SET status = ? WHERE id = ?").bind(status.as_str()).bind(id).execute(db).await?;
    Ok(())
}

/// Newest first.
pub async fn list_for_user(
    db: impl MySqlExecutor<'_>,
    user_id: i64,
    page: PageRequest,
) -> Result<Vec<OrderSummary>, sqlx::Error> {
    sqlx::query_as(
        "SELECT o.id, o.status, o.created_at, o.updated_at, p.id AS package_id, p.title AS package_title, \
         p.price AS package_price, p.duration AS package_duration, p.message_limit AS package_message_limit, \
         t.id AS transaction_id, t.status AS transaction_status, t.ref_id \
         FROM orders o JOIN packages p ON p.id = o.package_id LEFT JOIN transactions t ON t.order_id = o.id \
         WHERE o.user_id = ? ORDER BY o.id DESC LIMIT ? OFFSET ?",
    )
    .bind(user_id)
    .bind(page.limit)
    .bind(page.offset())
    .fetch_all(db)
    .await
}

pub async fn count_for_user(db: impl MySqlExecutor<'_>, user_id: i64) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM orders WHERE user_id = ?").bind(user_id).fetch_one(db).await
}
