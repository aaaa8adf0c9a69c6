//! The orders & payments area: buying a package (order → gateway payment →
//! callback / verify) and what it bought: the buyer's orders, transactions
//! and subscription. `GET /api/campaigns/subscription` lives here because
//! the subscription is what payments grant; axum prefers this static path
//! over the campaigns area's `/api/campaigns/{id}`.

pub(crate) mod handlers;
pub(crate) mod views;

use axum::Router;
use shared::AppContext;
use utoipa_axum::{router::OpenApiRouter, routes};

/// The area's routes, each registered once with its documentation.
pub fn api() -> OpenApiRouter<AppContext> {
    OpenApiRouter::default()
        .routes(routes!(handlers::create_order))
        .routes(routes!(handlers::my_orders))
        .routes(routes!(handlers::request_payment))
        .routes(routes!(handlers::callback))
        .routes(routes!(handlers::verify))
        .routes(routes!(handlers::my_payments))
        .routes(routes!(handlers::subscription))
}

pub fn router(ctx: AppContext) -> Router {
    crate::openapi::serve(api(), ctx)
}
