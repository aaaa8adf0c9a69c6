//! A user's subscription: the packages granted to them (`user_packages`,
//! one row per paid order) and the subscription columns of `users`.

use chrono::{DateTime, Utc};
use sqlx::MySqlExecutor;

#[derive(Debug, Clone, Copy, sqlx::FromRow)]
pub struct SubscriptionState {
    pub subscription_active: bool,
    pub subscription_expires_at: Option<DateTime<Utc>>,
    pub messages_used: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct GrantedPackage {
    pub package_id: i64,
    pub title: String,
    pub message_limit: i32,
    pub order_id: Option<i64>,
    pub granted_at: DateTime<Utc>,
}

const STATE: &str = "SELECT subscription_active, subscription_expires_at, messages_used FROM users WHERE id = ?";

pub async fn find_state(db: impl MySqlExecutor<'_>, user_id: i64) -> Result<Option<SubscriptionState>, sqlx::Error> {
    sqlx::query_as(STATE).bind(user_id).fetch_optional(db).await
}

/// The user's row, locked until the transaction ends. Every change to a
/// user's grants, usage or reservations takes this lock first, so they
/// happen one at a time and in one lock order.
pub async fn lock_user(db: impl MySqlExecutor<'_>, user_id: i64) -> Result<Option<SubscriptionState>, sqlx::Error> {
    sqlx::query_as(&format!("{STATE} FOR UPDATE")).bind(user_id).fetch_optional(db).await
}

pub async fn extend(db: impl MySqlExecutor<'_>, user_id: i64, expires_at: DateTime<Utc>) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET subscription_active = TRUE, subscription_expires_at = ? WHERE id = ?")
        .bind(expires_at)
        .bind(user_id)
        .execute(db)
        .await?;
    Ok(())
}

/// `order_id` is unique: a second grant for one order is a duplicate-key
/// error, never a second package.
pub async fn insert_grant(
    db: impl MySqlExecutor<'_>,
    user_id: i64,
    package_id: i64,
    order_id: Option<i64>,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO user_packages (user_id, package_id, order_id) VALUES (?, ?, ?)")
        .bind(user_id)
        .bind(package_id)
        .bind(order_id)
        .execute(db)
        .await?;
    Ok(())
}

/// Oldest grant first.
pub async fn grants(db: impl MySqlExecutor<'_>, user_id: i64) -> Result<Vec<GrantedPackage>, sqlx::Error> {
    sqlx::query_as(
        "SELECT p.id AS package_id, p.title, p.message_limit, up.order_id, up.granted_at \
         FROM user_packages up JOIN packages p ON p.id = up.package_id WHERE up.user_id = ? ORDER BY up.id",
    )
    .bind(user_id)
    .fetch_all(db)
    .await
}

/// The sum of the message limits of every package granted to the user.
pub async fn total_limit(db: impl MySqlExecutor<'_>, user_id: i64) -> Result<i64, sqlx::Error> {
    // SUM is DECIMAL in MySQL; cast so it decodes as an integer.
    sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(p.message_limit), 0) AS SIGNED) \
         FROM user_packages up JOIN packages p ON p.id = up.package_id WHERE up.user_id = ?",
    )
    .bind(user_id)
    .fetch_one(db)
    .await
}
