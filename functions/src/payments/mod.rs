//! The orders & payments area: buying a package (order → gateway payment →
//! callback / verify) and what it bought: the buyer's orders, transactions
//! and subscription. `GET /api/campaigns/subscription` lives here because
//! the subscription is what payments grant; axum prefers this static path
//! over the campaigns area's `/api/campaigns/{id}`.

pub(crate) mod handlers;
pub(crate) mod views;

use axum::{
    routing::{get, post},
    Router,
};
use shared::AppContext;

pub fn router(ctx: AppContext) -> Router {
    Router::new()
        .route("/api/orders", post(handlers::create_order))
        .route("/api/orders/me", get(handlers::my_orders))
        .route("/api/payments/request", post(handlers::request_payment))
        .route("/api/payments/callback", get(handlers::callback))
        .route("/api/payments/verify", post(handlers::verify))
        .route("/api/payments/me", get(handlers::my_payments))
        .route("/api/campaigns/subscription", get(handlers::subscription))
        .with_state(ctx)
}
