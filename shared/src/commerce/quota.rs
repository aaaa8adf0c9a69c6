//! The message quota, for the sending side: a campaign reserves the
//! messages it is about to send, consumes one per message actually sent,
//! and releases what it did not send when it ends.
//!
//! remaining = Σ messageLimit of the granted packages (while the
//! subscription is active) − messages used − messages reserved by other
//! campaigns. Every operation locks the user's row first, so two campaigns
//! of one user reserving at once are serialised and can never overspend.
//! (The sums read after that lock see every commit made before it: InnoDB
//! takes a transaction's snapshot at its first plain read.) Reserving and
//! releasing run again whole if they lose a lock conflict; consuming is
//! part of its caller's transaction, which decides.

use sqlx::MySqlPool;

use super::subscription::is_active;
use crate::{
    db::retry_transaction,
    error::ApiError,
    repo::{quota, subscriptions},
};

/// A reservation made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reserved {
    pub reserved: i64,
    /// What is left for other campaigns afterwards.
    pub remaining: i64,
}

/// Set aside `count` messages for the campaign (replacing what it held
/// before, so a resumed campaign reserves what it still has to send).
#[tracing::instrument(skip(db))]
pub async fn reserve(db: &MySqlPool, user_id: i64, campaign_id: i64, count: i64) -> Result<Reserved, ApiError> {
    if count < 0 {
        return Err(ApiError::field("count", "must not be negative"));
    }
    retry_transaction(|| reserve_once(db, user_id, campaign_id, count)).await
}

async fn reserve_once(db: &MySqlPool, user_id: i64, campaign_id: i64, count: i64) -> Result<Reserved, ApiError> {
    let mut tx = db.begin().await?;
    let state = subscriptions::lock_user(&mut *tx, user_id).await?.ok_or_else(|| ApiError::not_found("User"))?;
    if quota::campaign_owner(&mut *tx, campaign_id).await? != Some(user_id) {
        return Err(ApiError::not_found("Campaign"));
    }
    if !is_active(state.subscription_active, state.subscription_expires_at) {
        return Err(ApiError::BusinessRule {
            code: "SUBSCRIPTION_INACTIVE",
            message: "An active subscription is needed to send messages; buy a package first".into(),
        });
    }
    let total = subscriptions::total_limit(&mut *tx, user_id).await?;
    let held_by_others = quota::reserved(&mut *tx, user_id, Some(campaign_id)).await?;
    let available = (total - state.messages_used - held_by_others).max(0);
    if count > available {
        return Err(ApiError::BusinessRule {
            code: "INSUFFICIENT_QUOTA",
            message: format!("Not enough messages left: {count} needed, {available} remaining"),
        });
    }
    quota::set_reservation(&mut *tx, campaign_id, user_id, count).await?;
    tx.commit().await?;
    Ok(Reserved { reserved: count, remaining: available - count })
}

/// Return the messages the campaign reserved and did not send; how many.
#[tracing::instrument(skip(db))]
pub async fn release(db: &MySqlPool, campaign_id: i64) -> Result<i64, ApiError> {
    retry_transaction(|| release_once(db, campaign_id)).await
}

async fn release_once(db: &MySqlPool, campaign_id: i64) -> Result<i64, ApiError> {
    let mut tx = db.begin().await?;
    let Some(user_id) = quota::reservation_owner(&mut *tx, campaign_id).await? else {
        return Ok(0);
    };
    subscriptions::lock_user(&mut *tx, user_id).await?;
    let Some((_, held)) = quota::find_for_update(&mut *tx, campaign_id).await? else {
        return Ok(0);
    };
    quota::delete_reservation(&mut *tx, campaign_id).await?;
    tx.commit().await?;
    Ok(held)
}
