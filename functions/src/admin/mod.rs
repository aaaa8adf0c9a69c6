//! The admin area (ADMIN or SUPER_ADMIN only; every handler takes the
//! `AdminUser` extractor, so a missing token is a 401 and any other role a
//! 403): users and their roles and statuses, all transactions, the
//! dashboard and the recipients template.

pub(crate) mod handlers;
pub(crate) mod views;

use axum::{extract::DefaultBodyLimit, Router};
use shared::{admin::template, AppContext};
use utoipa_axum::{
    router::{OpenApiRouter, UtoipaMethodRouterExt},
    routes,
};

use crate::http::upload::MULTIPART_OVERHEAD;

/// The area's routes, each registered once with its documentation.
pub fn api() -> OpenApiRouter<AppContext> {
    OpenApiRouter::default()
        .routes(routes!(handlers::users))
        .routes(routes!(handlers::change_role))
        .routes(routes!(handlers::change_status))
        .routes(routes!(handlers::transactions))
        .routes(routes!(handlers::dashboard))
        .routes(
            routes!(handlers::upload_template).layer(DefaultBodyLimit::max(template::MAX_BYTES + MULTIPART_OVERHEAD)),
        )
        .routes(routes!(handlers::template_info))
}

pub fn router(ctx: AppContext) -> Router {
    crate::openapi::serve(api(), ctx)
}
