//! The auth & users area: one-time codes, sign-up, login, tokens, profile.

pub(crate) mod client_ip;
pub(crate) mod handlers;
pub(crate) mod views;

use axum::Router;
use shared::AppContext;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::health;

/// The area's routes, each registered once with its documentation.
pub fn api() -> OpenApiRouter<AppContext> {
    OpenApiRouter::default()
        .routes(routes!(handlers::request_otp))
        .routes(routes!(handlers::verify_otp))
        .routes(routes!(handlers::logout))
        .routes(routes!(handlers::register))
        .routes(routes!(handlers::register_simple))
        .routes(routes!(handlers::login))
        .routes(routes!(handlers::profile, handlers::update_profile))
        .routes(routes!(handlers::refresh))
        .routes(routes!(health::health))
}

pub fn router(ctx: AppContext) -> Router {
    crate::openapi::serve(api(), ctx)
}
