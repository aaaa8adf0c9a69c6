//! Thin handlers: parse, call one commerce operation, shape the answer.

use axum::{
    extract::State,
    response::{IntoResponse, Redirect, Response},
    Json,
};
use serde::{Deserialize, Serialize};
use shared::{
    commerce::{
        orders::{self, OrderInput},
        payments::{self, PaymentInput},
        settlement::{self, VerifyInput},
        subscription,
    },
    domain::{OrderStatus, PageQuery, Pagination},
    ApiError, AppContext,
};
use utoipa::ToSchema;

use super::views::{result_url, NewOrderView, OrderView, SubscriptionView, TransactionView};
use crate::http::{layers::created, CurrentUser, JsonBody, QueryParams};

type Answer = Result<Response, ApiError>;

#[derive(Serialize, ToSchema)]
pub struct OrderCreated<'a> {
    success: bool,
    message: &'static str,
    order: NewOrderView<'a>,
}

#[derive(Serialize, ToSchema)]
pub struct OrderList<'a> {
    success: bool,
    orders: Vec<OrderView<'a>>,
    pagination: Pagination,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PaymentStarted {
    success: bool,
    authority: String,
    /// The gateway's StartPay page: send the buyer there.
    payment_url: String,
}

#[derive(Serialize, ToSchema)]
pub struct PaidOrder {
    id: i64,
    status: OrderStatus,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PaymentVerified<'a> {
    success: bool,
    message: &'static str,
    /// True when an earlier verify or callback had already settled it.
    already_verified: bool,
    ref_id: Option<&'a str>,
    order: PaidOrder,
    transaction: TransactionView<'a>,
}

#[derive(Serialize, ToSchema)]
pub struct TransactionList<'a> {
    pub success: bool,
    pub transactions: Vec<TransactionView<'a>>,
    pub pagination: Pagination,
}

#[derive(Serialize, ToSchema)]
pub struct SubscriptionAnswer<'a> {
    success: bool,
    subscription: SubscriptionView<'a>,
}

#[utoipa::path(
    post,
    path = "/api/orders",
    tag = "payments",
    summary = "Order a package",
    request_body = shared::commerce::orders::OrderInput,
    responses((status = 201, description = "Ordered (PENDING)", body = OrderCreated<'static>)),
    security(("bearer" = [])),
)]
pub async fn create_order(
    State(ctx): State<AppContext>,
    caller: CurrentUser,
    JsonBody(input): JsonBody<OrderInput>,
) -> Answer {
    let new = orders::create(&ctx, caller.id, input).await?;
    let order = NewOrderView::new(&new.order, &new.package);
    Ok(created(Json(OrderCreated { success: true, message: "Order created", order })))
}

#[utoipa::path(
    get,
    path = "/api/orders/me",
    tag = "payments",
    summary = "Own orders",
    params(shared::domain::PageQuery),
    responses((status = 200, description = "A page of orders", body = OrderList<'static>)),
    security(("bearer" = [])),
)]
pub async fn my_orders(
    State(ctx): State<AppContext>,
    caller: CurrentUser,
    QueryParams(page): QueryParams<PageQuery>,
) -> Answer {
    let (rows, pagination) = orders::list_own(&ctx, caller.id, page).await?;
    let orders = rows.iter().map(OrderView::from).collect();
    Ok(Json(OrderList { success: true, orders, pagination }).into_response())
}

/// The gateway sends the buyer back to our callback under the configured
/// public base URL (`PAYMENT_CALLBACK_BASE_URL`), never under the address
/// this request names (`Host`, `X-Forwarded-Host`): without one, 503.
#[utoipa::path(
    post,
    path = "/api/payments/request",
    tag = "payments",
    summary = "Start a gateway payment for an order",
    request_body = shared::commerce::payments::PaymentInput,
    responses((status = 200, description = "Redirect the buyer to paymentUrl", body = PaymentStarted)),
    security(("bearer" = [])),
)]
pub async fn request_payment(
    State(ctx): State<AppContext>,
    caller: CurrentUser,
    JsonBody(input): JsonBody<PaymentInput>,
) -> Answer {
    let started = payments::request(&ctx, caller.id, input).await?;
    Ok(Json(PaymentStarted { success: true, authority: started.authority, payment_url: started.payment_url })
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
    responses((status = 200, description = "Paid", body = PaymentVerified<'static>)),
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
    Ok(Json(PaymentVerified {
        success: true,
        message,
        already_verified: !settled.newly_paid,
        ref_id: settled.transaction.ref_id.as_deref(),
        order: PaidOrder { id: settled.order_id, status: OrderStatus::Paid },
        transaction: TransactionView::from(&settled.transaction),
    })
    .into_response())
}

#[utoipa::path(
    get,
    path = "/api/payments/me",
    tag = "payments",
    summary = "Own transactions",
    params(shared::domain::PageQuery),
    responses((status = 200, description = "A page of transactions", body = TransactionList<'static>)),
    security(("bearer" = [])),
)]
pub async fn my_payments(
    State(ctx): State<AppContext>,
    caller: CurrentUser,
    QueryParams(page): QueryParams<PageQuery>,
) -> Answer {
    let (rows, pagination) = payments::list_own(&ctx, caller.id, page).await?;
    let transactions = rows.iter().map(TransactionView::own).collect();
    Ok(Json(TransactionList { success: true, transactions, pagination }).into_response())
}

#[utoipa::path(
    get,
    path = "/api/campaigns/subscription",
    tag = "payments",
    summary = "The own subscription and quota",
    responses((status = 200, description = "The subscription", body = SubscriptionAnswer<'static>)),
    security(("bearer" = [])),
)]
pub async fn subscription(State(ctx): State<AppContext>, caller: CurrentUser) -> Answer {
    let summary = subscription::summary(&ctx.db, caller.id).await?;
    Ok(Json(SubscriptionAnswer { success: true, subscription: SubscriptionView::from(&summary) }).into_response())
}
