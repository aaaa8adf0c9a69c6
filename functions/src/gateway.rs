//! The local gateway's app: every area's router merged unchanged, plus what
//! API Gateway does in AWS — CORS for the frontend, a per-client rate limit,
//! the WebSocket API at `/ws/campaigns` (the old service's path) and its
//! `@connections` management API; and the console (`crate::console`),
//! which in AWS is static files behind CloudFront instead.

mod management;
mod websocket;

use axum::{http::HeaderValue, middleware, routing::get, Router};
use shared::AppContext;
use tower_http::cors::{AllowHeaders, AllowMethods, AllowOrigin, CorsLayer};

use crate::{
    http::{self, rate_limit::RateLimiter},
    routes::Function,
};
use websocket::{LocalWebSockets, Registry};

/// Every Lambda function's routes, merged: the whole HTTP API.
pub fn routes(ctx: &AppContext) -> Router {
    Function::ALL.into_iter().fold(Router::new(), |merged, function| merged.merge(crate::routes::routes(function, ctx)))
}

pub fn app(ctx: AppContext) -> Router {
    let settings = &ctx.settings.gateway;
    let limiter = RateLimiter::new(settings.rate_limit_max, settings.rate_limit_window);
    // FRONTEND_URL may list several origins, comma-separated.
    let origins = settings.frontend_url.split(',').filter_map(|o| HeaderValue::from_str(o.trim()).ok());
    let cors = CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_methods(AllowMethods::mirror_request())
        .allow_headers(AllowHeaders::mirror_request())
        .allow_credentials(true)
        .max_age(std::time::Duration::from_secs(600));
    let local = LocalWebSockets { ctx: ctx.clone(), registry: Registry::default() };
    // The WebSocket and management endpoints stand outside the HTTP API's
    // rate limit, as they do in AWS.
    let websockets = Router::new().route("/ws/campaigns", get(websocket::upgrade)).with_state(local.clone());
    http::finish(routes(&ctx))
        .layer(middleware::from_fn_with_state(limiter, http::rate_limit::enforce))
        .layer(cors)
        .merge(websockets)
        .merge(management::routes(local))
        .merge(crate::console::router(&ctx))
}
