//! Settling a payment: ask the gateway whether it was paid, and if so mark
//! the transaction SUCCESS, the order PAID and grant the package — exactly
//! once, however many verify calls and callbacks race.
//!
//! The gateway is asked outside any lock (Zarinpal answers 101 "already
//! verified" to repeats). Recording takes the order's row lock, then the
//! transaction's, and re-reads the status under them: the first caller
//! grants, the others find SUCCESS and change nothing; one that loses a
//! lock conflict on the way is run again whole. The unique order id of
//! `user_packages` is the last line of defence.

use serde::Deserialize;
use serde_json::{json, Value};

use super::{payments::gateway_unavailable, subscription};
use crate::{
    db::retry_transaction,
    domain::TransactionStatus,
    error::ApiError,
    payment_gateway::Verification,
    repo::{
        orders::{self, OrderRecord},
        packages::{self, PackageRecord},
        transactions::{self, TransactionRecord},
    },
    AppContext,
};

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct VerifyInput {
    pub order_id: i64,
    pub authority: String,
}

/// A settled (paid) order's transaction.
#[derive(Debug)]
pub struct Settled {
    pub order_id: i64,
    pub transaction: TransactionRecord,
    /// False when an earlier call had already settled it.
    pub newly_paid: bool,
}

/// Why a callback did not end in a paid order, and which order it was
/// about when that is known.
#[derive(Debug)]
pub struct CallbackFailure {
    pub order_id: Option<i64>,
    pub error: ApiError,
}

/// The buyer asks to verify their own order's payment.
#[tracing::instrument(skip_all, fields(user.id = user_id, order.id = input.order_id))]
pub async fn verify(ctx: &AppContext, user_id: i64, input: VerifyInput) -> Result<Settled, ApiError> {
    let order =
        orders::find_owned(&ctx.db, input.order_id, user_id).await?.ok_or_else(|| ApiError::not_found("Order"))?;
    let transaction = transactions::find_by_order(&ctx.db, order.id)
        .await?
        .filter(|t| t.authority.as_deref() == Some(input.authority.trim()))
        .ok_or_else(|| ApiError::not_found("Payment"))?;
    settle(ctx, &order, transaction).await
}

/// The gateway sent the buyer back: `Status=OK` means "go verify", anything
/// else means they cancelled or the payment failed (unless an earlier call
/// already settled it).
#[tracing::instrument(skip_all)]
pub async fn callback(ctx: &AppContext, authority: &str, status: &str) -> Result<Settled, CallbackFailure> {
    let transaction = transactions::find_by_authority(&ctx.db, authority)
        .await
        .map_err(|err| CallbackFailure { order_id: None, error: err.into() })?
        .ok_or(CallbackFailure { order_id: None, error: ApiError::not_found("Payment") })?;
    let order_id = transaction.order_id;
    let outcome = async {
        let order = orders::find_by_id(&ctx.db, order_id).await?.ok_or_else(|| ApiError::not_found("Order"))?;
        if status != "OK" && transaction.status != TransactionStatus::Success {
            let status: String = status.chars().take(16).collect();
            record_failure(ctx, order_id, &json!({ "callbackStatus": status })).await?;
            return Err(not_paid("The payment was cancelled or failed"));
        }
        settle(ctx, &order, transaction).await
    };
    outcome.await.map_err(|error| CallbackFailure { order_id: Some(order_id), error })
}

async fn settle(ctx: &AppContext, order: &OrderRecord, transaction: TransactionRecord) -> Result<Settled, ApiError> {
    if transaction.status == TransactionStatus::Success {
        return Ok(Settled { order_id: order.id, transaction, newly_paid: false });
    }
    let authority = transaction.authority.clone().ok_or_else(|| ApiError::not_found("Payment"))?;
    let package = packages::find_by_id(&ctx.db, order.package_id)
        .await?
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("order without package")))?;
    // The price may have changed since the payment started; what was paid
    // must be what the package costs now.
    if transaction.amount != package.price {
        record_failure(ctx, order.id, &json!({ "reason": "amount differs from the package price" })).await?;
        return Err(not_paid("The paid amount does not match the package price"));
    }
    match ctx.payments.verify(&authority, package.price).await.map_err(gateway_unavailable)? {
        Verification::Verified { ref_id, data } => {
            record_success(ctx, order.id, &authority, &ref_id, &data, &package).await
        }
        Verification::Rejected { code, data } => {
            record_failure(ctx, order.id, &data).await?;
            tracing::info!(order.id = order.id, gateway.code = code, "payment not verified");
            Err(not_paid(match code {
                -50 => "The paid amount does not match the package price",
                -51 => "The payment was cancelled or failed",
                _ => "The payment could not be verified",
            }))
        }
    }
}

async fn record_success(
    ctx: &AppContext,
    order_id: i64,
    authority: &str,
    ref_id: &str,
    data: &Value,
    package: &PackageRecord,
) -> Result<Settled, ApiError> {
    retry_transaction(|| async {
        let mut tx = ctx.db.begin().await?;
        let order = orders::find_for_update(&mut *tx, order_id).await?.ok_or_else(|| ApiError::not_found("Order"))?;
        let transaction = locked_transaction(&mut tx, order_id).await?;
        if transaction.status == TransactionStatus::Success {
            return Ok(Settled { order_id, transaction, newly_paid: false });
        }
        transactions::mark_success(&mut *tx, transaction.id, authority, ref_id, &data.to_string()).await?;
        orders::set_status(&mut *tx, order_id, crate::domain::OrderStatus::Paid).await?;
        let expires_at = subscription::grant(&mut tx, order.user_id, package, Some(order_id)).await?;
        let transaction = locked_transaction(&mut tx, order_id).await?;
        tx.commit().await?;
        tracing::info!(order.id = order_id, user.id = order.user_id, %expires_at, "payment verified; package granted");
        Ok(Settled { order_id, transaction, newly_paid: true })
    })
    .await
}

/// Record a failed attempt, unless a racing call already settled it.
async fn record_failure(ctx: &AppContext, order_id: i64, data: &Value) -> Result<(), ApiError> {
    retry_transaction(|| async {
        let mut tx = ctx.db.begin().await?;
        orders::find_for_update(&mut *tx, order_id).await?;
        let transaction = locked_transaction(&mut tx, order_id).await?;
        if transaction.status != TransactionStatus::Success {
            transactions::mark_failure(&mut *tx, transaction.id, &data.to_string()).await?;
        }
        tx.commit().await?;
        Ok(())
    })
    .await
}

async fn locked_transaction(
    tx: &mut sqlx::Transaction<'_, sqlx::MySql>,
    order_id: i64,
) -> Result<TransactionRecord, ApiError> {
    transactions::find_by_order_for_update(&mut **tx, order_id).await?.ok_or_else(|| ApiError::not_found("Payment"))
}

fn not_paid(message: &str) -> ApiError {
    ApiError::BusinessRule { code: "PAYMENT_FAILED", message: message.to_owned() }
}
