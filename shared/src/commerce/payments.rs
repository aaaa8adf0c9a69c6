//! Starting a payment for an order, and the buyer's payment history.
//! Verifying and granting are in `settlement`.

use serde::Deserialize;

use crate::{
    domain::{OrderStatus, PackageStatus, PageQuery, PageRequest, Pagination, PublicBaseUrl, TransactionStatus},
    error::ApiError,
    payment_gateway::{GatewayError, PaymentRequest, StartedPayment},
    repo::{
        orders::{self, OrderRecord},
        packages, transactions,
        transactions::{TransactionFilter, TransactionListing},
        users,
    },
    validation::{query_enum, Fields},
    AppContext,
};

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PaymentInput {
    pub order_id: i64,
}

/// Ask the gateway for a payment of the package's price and record it as
/// the order's PENDING transaction. Asking again replaces the attempt (a
/// new authority): the gateway refunds payments that are never verified.
///
/// The gateway returns the buyer to `/api/payments/callback` under the
/// configured public base URL; the request's own host is never used (a
/// client chooses its `Host` and `X-Forwarded-Host`). Without one: 503.
#[tracing::instrument(skip_all, fields(user.id = user_id, order.id = input.order_id))]
pub async fn request(ctx: &AppContext, user_id: i64, input: PaymentInput) -> Result<StartedPayment, ApiError> {
    let order =
        orders::find_owned(&ctx.db, input.order_id, user_id).await?.ok_or_else(|| ApiError::not_found("Order"))?;
    ensure_payable(&order)?;
    let package = packages::find_by_id(&ctx.db, order.package_id)
        .await?
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("order without package")))?;
    if package.status != PackageStatus::Active {
        return Err(ApiError::BusinessRule {
            code: "PACKAGE_UNAVAILABLE",
            message: "This package is no longer sold".into(),
        });
    }
    let buyer = users::find_by_id(&ctx.db, user_id).await?.ok_or_else(|| ApiError::not_found("User"))?;
    let gateway = ctx.payments.kind().map_err(gateway_unavailable)?;
    let callback_url = callback_base(ctx)?.join(CALLBACK_PATH);
    let description = format!("{} (order {})", package.title, order.id);
    let started = ctx
        .payments
        .request(PaymentRequest {
            amount: package.price,
            description: &description,
            callback_url: &callback_url,
            order_id: order.id,
            email: Some(&buyer.email),
            mobile: local_mobile(&buyer.phone).as_deref(),
        })
        .await
        .map_err(gateway_unavailable)?;

    let mut tx = ctx.db.begin().await?;
    let order = orders::find_for_update(&mut *tx, order.id).await?.ok_or_else(|| ApiError::not_found("Order"))?;
    ensure_payable(&order)?;
    transactions::upsert_pending(&mut *tx, order.id, package.price, gateway, &started.authority).await?;
    tx.commit().await?;
    tracing::info!(gateway = %gateway, "payment started");
    Ok(started)
}

/// Where the gateway sends the buyer back, under our public base URL.
pub const CALLBACK_PATH: &str = "/api/payments/callback";

fn callback_base(ctx: &AppContext) -> Result<PublicBaseUrl, ApiError> {
    ctx.settings.payments.callback_base_url.clone().ok_or_else(|| {
        tracing::error!(
            "PAYMENT_CALLBACK_BASE_URL is not set: payments are refused until this API's public URL is configured"
        );
        ApiError::Unavailable("Online payment is not available: this service's public address is not configured".into())
    })
}

fn ensure_payable(order: &OrderRecord) -> Result<(), ApiError> {
    match order.status {
        OrderStatus::Pending => Ok(()),
        OrderStatus::Paid => {
            Err(ApiError::Conflict { code: "ORDER_ALREADY_PAID", message: "This order is already paid".into() })
        }
        OrderStatus::Cancelled => {
            Err(ApiError::Conflict { code: "ORDER_CANCELLED", message: "This order was cancelled".into() })
        }
    }
}

/// Iranian mobiles as the gateway's payment page expects them (`0912…`).
fn local_mobile(canonical: &str) -> Option<String> {
    canonical.strip_prefix("98").map(|rest| format!("0{rest}"))
}

/// The gateway failed us, not the buyer: 503, details only in the log.
pub(crate) fn gateway_unavailable(err: GatewayError) -> ApiError {
    match err {
        GatewayError::NotConfigured => ApiError::Unavailable("Online payment is not available".into()),
        other => {
            tracing::warn!(error = %other, "payment gateway call failed");
            ApiError::Unavailable("The payment gateway is not available; try again later".into())
        }
    }
}

/// The caller's own transactions, newest first.
pub async fn list_own(
    ctx: &AppContext,
    user_id: i64,
    page: PageQuery,
) -> Result<(Vec<TransactionListing>, Pagination), ApiError> {
    list(ctx, TransactionFilter { user_id: Some(user_id), status: None }, page.into_request()?).await
}

/// `?page=&limit=&status=` of the administrators' transaction list.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TransactionListQuery {
    #[param(value_type = Option<u32>)]
    pub page: Option<String>,
    #[param(value_type = Option<u32>)]
    pub limit: Option<String>,
    #[param(value_type = Option<crate::domain::TransactionStatus>)]
    pub status: Option<String>,
}

/// Every transaction, for administrators.
pub async fn list_all(
    ctx: &AppContext,
    query: TransactionListQuery,
) -> Result<(Vec<TransactionListing>, Pagination), ApiError> {
    let mut f = Fields::new();
    let page = PageQuery { page: query.page.clone(), limit: query.limit.clone() }.parse(&mut f);
    let status = f.check("status", query_enum::<TransactionStatus>(query.status.as_deref()));
    let (page, status) = f.build(|| Some((page?, status?)))?;
    list(ctx, TransactionFilter { user_id: None, status }, page).await
}

async fn list(
    ctx: &AppContext,
    filter: TransactionFilter,
    page: PageRequest,
) -> Result<(Vec<TransactionListing>, Pagination), ApiError> {
    let rows = transactions::list(&ctx.db, filter, page).await?;
    let total = transactions::count(&ctx.db, filter).await?;
    Ok((rows, page.paginate(total)))
}

#[cfg(test)]
mod tests {
    #[test]
    fn mobiles_in_local_form() {
        assert_eq!(super::local_mobile("989123456789").as_deref(), Some("09123456789"));
        assert_eq!(super::local_mobile("447911123456"), None);
    }
}
