//! The auth & users area: one-time codes, sign-up, login, tokens, profile.

pub(crate) mod handlers;
pub(crate) mod views;

use axum::{
    routing::{get, post},
    Router,
};
use shared::AppContext;

use crate::health::health;

pub fn router(ctx: AppContext) -> Router {
    Router::new()
        .route("/api/auth/request-otp", post(handlers::request_otp))
        .route("/api/auth/verify-otp", post(handlers::verify_otp))
        .route("/api/auth/logout", post(handlers::logout))
        .route("/api/user/register", post(handlers::register))
        .route("/api/user/register-simple", post(handlers::register_simple))
        .route("/api/user/login", post(handlers::login))
        .route("/api/user/profile", get(handlers::profile).post(handlers::update_profile))
        .route("/api/refresh/token", post(handlers::refresh))
        .route("/api/health", get(health))
        .with_state(ctx)
}
