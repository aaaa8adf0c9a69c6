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

#[utoipa::path(
    post,
    path = "/api/orders",
    tag = "payments",
    summary = "Order a package",
    request_body = shared::commerce::orders::OrderInput,
    responses((status = 201, description = "Ordered (PENDING)", body = crate::openapi::bodies::OrderCreated)),
    security(("bearer" = [])),
)]
pub async fn create_order(
    State(ctx): State<AppContext>,
    caller: CurrentUser,
    JsonBody(input): JsonBody<OrderInput>,
) -> Answer {
    let new = orders::create(&ctx, caller.id, input).await?;
    let order = NewOrderView::new(&new.order, &new.package);
    Ok(created(Json(json!({ "success": true, "message": "Order created", "order": order }))))
}

#[utoipa::path(
    get,
    path = "/api/orders/me",
    tag = "payments",
    summary = "Own orders",
    params(shared::domain::PageQuery),
    responses((status = 200, description = "A page of orders", body = crate::openapi::bodies::OrderList)),
    security(("bearer" = [])),
)]
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
#[utoipa::path(
    post,
    path = "/api/payments/request",
    tag = "payments",
    summary = "Start a gateway payment for an order",
    request_body = shared::commerce::payments::PaymentInput,
    responses((status = 200, description = "Redirect the buyer to paymentUrl", body = crate::openapi::bodies::PaymentStarted)),
    security(("bearer" = [])),
)]
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
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CallbackQuery {
    #[serde(rename = "Authority")]
    authority: Option<String>,
    #[serde(rename = "Status")]
    status: Option<String>,
}

/// The buyer's browser, back from the gateway: settle, then send them to
/// the frontend's result page with the outcome in its query string.
#[utoipa::path(
    get,
    path = "/api/payments/callback",
    tag = "payments",
    summary = "Where the gateway sends the buyer back: settles, then redirects to the frontend",
    params(CallbackQuery),
    responses((status = 303, description = "To the frontend's result page with `status`, `orderId`, `refId` or `code`")),
)]
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

#[utoipa::path(
    post,
    path = "/api/payments/verify",
    tag = "payments",
    summary = "Verify a payment; grants the package exactly once",
    request_body = shared::commerce::settlement::VerifyInput,
    responses((status = 200, description = "Paid", body = crate::openapi::bodies::PaymentVerified)),
    security(("bearer" = [])),
)]
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

#[utoipa::path(
    get,
    path = "/api/payments/me",
    tag = "payments",
    summary = "Own transactions",
    params(shared::domain::PageQuery),
    responses((status = 200, description = "A page of transactions", body = crate::openapi::bodies::TransactionList)),
    security(("bearer" = [])),
)]
pub async fn my_payments(
    State(ctx): State<AppContext>,
    caller: CurrentUser,
    QueryParams(page): QueryParams<PageQuery>,
) -> Answer {
    let (rows, pagination) = payments::list_own(&ctx, caller.id, page).await?;
    let transactions: Vec<_> = rows.iter().map(TransactionView::own).collect();
    Ok(Json(json!({ "success": true, "transactions": transactions, "pagination": pagination })).into_response())
}

#[utoipa::path(
    get,
    path = "/api/campaigns/subscription",
    tag = "payments",
    summary = "The own subscription and quota",
    responses((status = 200, description = "The subscription", body = crate::openapi::bodies::SubscriptionAnswer)),
    security(("bearer" = [])),
)]
pub async fn subscription(State(ctx): State<AppContext>, caller: CurrentUser) -> Answer {
    let summary = subscription::summary(&ctx.db, caller.id).await?;
    Ok(Json(json!({ "success": true, "subscription": SubscriptionView::from(&summary) })).into_response())
}
