//! The local gateway's app: every area's router merged unchanged, plus what
//! API Gateway does in AWS — CORS for the frontend and a per-client rate
//! limit.

use axum::{http::HeaderValue, middleware, Router};
use shared::AppContext;
use tower_http::cors::{AllowHeaders, AllowMethods, AllowOrigin, CorsLayer};

use crate::http::{self, rate_limit::RateLimiter};

/// Every area's routes, merged. The single list of areas the gateway serves.
pub fn routes(ctx: &AppContext) -> Router {
    Router::new().merge(crate::auth::router(ctx.clone())).merge(crate::campaigns::router(ctx.clone()))
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
    http::finish(routes(&ctx))
        .layer(middleware::from_fn_with_state(limiter, http::rate_limit::enforce))
        .layer(cors)
}
