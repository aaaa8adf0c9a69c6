//! What a user's purchases add up to: granting a package (the one code path
//! for payments and for the operations CLI) and the subscription summary.

use chrono::{DateTime, Duration, Utc};
use sqlx::{MySql, MySqlPool, Transaction};

use crate::{
    domain::Email,
    error::ApiError,
    repo::{
        packages::{self, PackageRecord},
        quota, subscriptions,
        subscriptions::GrantedPackage,
        users,
    },
};

/// An expired subscription reads as inactive even before anything has
/// flipped the stored flag.
pub fn is_active(flag: bool, expires_at: Option<DateTime<Utc>>) -> bool {
    flag && expires_at.is_some_and(|at| at > Utc::now())
}

/// Give the user the package inside the caller's transaction: add it to
/// their packages and extend the subscription by its duration, from the
/// current expiry while that is still ahead, else from now. Returns the
/// new expiry. A second grant for the same order fails on its unique key.
pub async fn grant(
    tx: &mut Transaction<'_, MySql>,
    user_id: i64,
    package: &PackageRecord,
    order_id: Option<i64>,
) -> Result<DateTime<Utc>, ApiError> {
    // The user's row first: the lock order every quota operation uses.
    let state = subscriptions::lock_user(&mut **tx, user_id).await?.ok_or_else(|| ApiError::not_found("User"))?;
    subscriptions::insert_grant(&mut **tx, user_id, package.id, order_id).await?;
    let now = Utc::now();
    let from = state.subscription_expires_at.filter(|at| *at > now).unwrap_or(now);
    let expires_at = from + Duration::days(package.duration.into());
    subscriptions::extend(&mut **tx, user_id, expires_at).await?;
    Ok(expires_at)
}

/// A grant made by an operator (no order, no payment).
pub struct ManualGrant {
    pub user_id: i64,
    pub package: PackageRecord,
    pub expires_at: DateTime<Utc>,
}

/// `ops give-subscription`: grant a package to the account with this e-mail.
#[tracing::instrument(skip(db, email))]
pub async fn give(db: &MySqlPool, email: &Email, package_id: i64) -> Result<ManualGrant, ApiError> {
    let user = users::find_by_email(db, email).await?.ok_or_else(|| ApiError::not_found("User"))?;
    let package = packages::find_by_id(db, package_id).await?.ok_or_else(|| ApiError::not_found("Package"))?;
    let mut tx = db.begin().await?;
    let expires_at = grant(&mut tx, user.id, &package, None).await?;
    tx.commit().await?;
    tracing::info!(user.id = user.id, package.id = package.id, %expires_at, "subscription given by an operator");
    Ok(ManualGrant { user_id: user.id, package, expires_at })
}

/// `GET /api/campaigns/subscription`.
#[derive(Debug, Clone)]
pub struct Summary {
    pub is_active: bool,
    pub expires_at: Option<DateTime<Utc>>,
    /// The message limits of every granted package, added up.
    pub total_limit: i64,
    /// Messages sent.
    pub used: i64,
    /// Messages held by campaigns that have not sent them yet.
    pub reserved: i64,
    /// What a new campaign could still send: nothing while inactive.
    pub remaining: i64,
    pub packages: Vec<GrantedPackage>,
}

pub async fn summary(db: &MySqlPool, user_id: i64) -> Result<Summary, ApiError> {
    let state = subscriptions::find_state(db, user_id).await?.ok_or_else(|| ApiError::not_found("User"))?;
    let total_limit = subscriptions::total_limit(db, user_id).await?;
    let reserved = quota::reserved(db, user_id, None).await?;
    let is_active = is_active(state.subscription_active, state.subscription_expires_at);
    let remaining = if is_active { (total_limit - state.messages_used - reserved).max(0) } else { 0 };
    Ok(Summary {
        is_active,
        expires_at: state.subscription_expires_at,
        total_limit,
        used: state.messages_used,
        reserved,
        remaining,
        packages: subscriptions::grants(db, user_id).await?,
    })
}
