//! The packages area: the public catalogue of what is on sale, and its
//! management by administrators (same paths, admin-only methods).

pub(crate) mod handlers;
pub(crate) mod views;

use axum::Router;
use shared::AppContext;
use utoipa_axum::{router::OpenApiRouter, routes};

/// The area's routes, each registered once with its documentation.
pub fn api() -> OpenApiRouter<AppContext> {
    OpenApiRouter::default().routes(routes!(handlers::list, handlers::create)).routes(routes!(
        handlers::get,
        handlers::update,
        handlers::delete
    ))
}

pub fn router(ctx: AppContext) -> Router {
    crate::openapi::serve(api(), ctx)
}
