//! Thin handlers: parse, call one commerce operation, shape the answer.

use axum::{
    extract::State,
    response::{IntoResponse, Redirect, Response},
    Json,
};
use serde::Deserialize;
use serde_json::json;
use shared::{
    commerce::{
        orders::{self, OrderInput},
        payments::{self, PaymentInput},
        settlement::{self, VerifyInput},
        subscription,
    },
    domain::PageQuery,
    ApiError, AppContext,
};

use super::views::{result_url, NewOrderView, OrderView, SubscriptionView, TransactionView};
use crate::http::{layers::created, CurrentUser, JsonBody, QueryParams, RequestBaseUrl};

type Answer = Result<Response, ApiError>;

pub async fn create_order(
    State(ctx): State<AppContext>,
    caller: CurrentUser,
    JsonBody(input): JsonBody<OrderInput>,
) -> Answer {
    let new = orders::create(&ctx, caller.id, input).await?;
    let order = NewOrderView::new(&new.order, &new.package);
    Ok(created(Json(json!({ "success": true, "message": "Order created", "order": order }))))
}

pub async fn my_orders(
    State(ctx): State<AppContext>,
    caller: CurrentUser,
    QueryParams(page): QueryParams<PageQuery>,
) -> Answer {
    let (rows, pagination) = orders::list_own(&ctx, caller.id, page).await?;
    let orders: Vec<_> = rows.iter().map(OrderView::from).collect();
    Ok(Json(json!({ "success": true, "orders": orders, "pagination": pagination })).into_response())
}

/// The gateway sends the buyer back to our callback under the address this
/// request came in on, unless `PAYMENT_CALLBACK_BASE_URL` names one.
pub async fn request_payment(
    State(ctx): State<AppContext>,
    caller: CurrentUser,
    RequestBaseUrl(base): RequestBaseUrl,
    JsonBody(input): JsonBody<PaymentInput>,
) -> Answer {
    let started = payments::request(&ctx, caller.id, input, base).await?;
    Ok(Json(json!({ "success": true, "authority": started.authority, "paymentUrl": started.payment_url }))
        .into_response())
}

/// `?Authority=…&Status=OK|NOK`, as the gateway spells them.
#[derive(Deserialize)]
pub struct CallbackQuery {
    #[serde(rename = "Authority")]
    authority: Option<String>,
    #[serde(rename = "Status")]
    status: Option<String>,
}

/// The buyer's browser, back from the gateway: settle, then send them to
/// the frontend's result page with the outcome in its query string.
pub async fn callback(State(ctx): State<AppContext>, QueryParams(query): QueryParams<CallbackQuery>) -> Response {
    let base = &ctx.settings.payments.result_url;
    let Some(authority) = query.authority.as_deref().map(str::trim).filter(|a| !a.is_empty()) else {
        return Redirect::to(&result_url(base, &[("status", "failed"), ("code", "VALIDATION_ERROR")])).into_response();
    };
    let url = match settlement::callback(&ctx, authority, query.status.as_deref().unwrap_or_default()).await {
        Ok(settled) => {
            let order_id = settled.order_id.to_string();
            let ref_id = settled.transaction.ref_id.unwrap_or_default();
            result_url(base, &[("status", "success"), ("orderId", &order_id), ("refId", &ref_id)])
        }
        Err(failure) => {
            if let ApiError::Internal(cause) = &failure.error {
                tracing::error!(error.cause_chain = ?cause, "payment callback failed");
            }
            let order_id = failure.order_id.map(|id| id.to_string()).unwrap_or_default();
            result_url(base, &[("status", "failed"), ("orderId", &order_id), ("code", failure.error.code())])
        }
    };
    Redirect::to(&url).into_response()
}

pub async fn verify(
    State(ctx): State<AppContext>,
    caller: CurrentUser,
    JsonBody(input): JsonBody<VerifyInput>,
) -> Answer {
    let settled = settlement::verify(&ctx, caller.id, input).await?;
    let message =
        if settled.newly_paid { "Payment verified; the package is active" } else { "Payment already verified" };
    Ok(Json(json!({
        "success": true,
        "message": message,
        "alreadyVerified": !settled.newly_paid,
        "refId": settled.transaction.ref_id,
        "order": { "id": settled.order_id, "status": "PAID" },
        "transaction": TransactionView::from(&settled.transaction),
    }))
    .into_response())
}

pub async fn my_payments(
    State(ctx): State<AppContext>,
    caller: CurrentUser,
    QueryParams(page): QueryParams<PageQuery>,
) -> Answer {
    let (rows, pagination) = payments::list_own(&ctx, caller.id, page).await?;
    let transactions: Vec<_> = rows.iter().map(TransactionView::own).collect();
    Ok(Json(json!({ "success": true, "transactions": transactions, "pagination": pagination })).into_response())
}

pub async fn subscription(State(ctx): State<AppContext>, caller: CurrentUser) -> Answer {
    let summary = subscription::summary(&ctx.db, caller.id).await?;
    Ok(Json(json!({ "success": true, "subscription": SubscriptionView::from(&summary) })).into_response())
}
