//! The admin area (ADMIN or SUPER_ADMIN only; every handler takes the
//! `AdminUser` extractor, so a missing token is a 401 and any other role a
//! 403): users and their roles and statuses, all transactions, the
//! dashboard and the recipients template.

pub(crate) mod handlers;
pub(crate) mod views;

use axum::{
    extract::DefaultBodyLimit,
    routing::{get, patch, post},
    Router,
};
use shared::{admin::template, AppContext};

use crate::http::upload::MULTIPART_OVERHEAD;

pub fn router(ctx: AppContext) -> Router {
    Router::new()
        .route("/api/admin/users", get(handlers::users))
        .route("/api/admin/users/{userId}/role", patch(handlers::change_role))
        .route("/api/admin/users/{userId}/status", patch(handlers::change_status))
        .route("/api/admin/transactions", get(handlers::transactions))
        .route("/api/admin/dashboard", get(handlers::dashboard))
        .route(
            "/api/admin/excel-template",
            post(handlers::upload_template).layer(DefaultBodyLimit::max(template::MAX_BYTES + MULTIPART_OVERHEAD)),
        )
        .route("/api/admin/excel-template/info", get(handlers::template_info))
        .with_state(ctx)
}
