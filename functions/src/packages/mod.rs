//! The packages area: the public catalogue of what is on sale, and its
//! management by administrators (same paths, admin-only methods).

pub(crate) mod handlers;
pub(crate) mod views;

use axum::{routing::get, Router};
use shared::AppContext;

pub fn router(ctx: AppContext) -> Router {
    Router::new()
        .route("/api/packages", get(handlers::list).post(handlers::create))
        .route("/api/packages/{id}", get(handlers::get).put(handlers::update).delete(handlers::delete))
        .with_state(ctx)
}
