//! `GET /api/health`: up, and able to reach the database.

use axum::{extract::State, Json};
use serde_json::{json, Value};
use shared::{ApiError, AppContext};

#[utoipa::path(
    get,
    path = "/api/health",
    tag = "meta",
    summary = "Up, and able to reach the database",
    responses((status = 200, description = "Healthy", body = crate::openapi::bodies::Health)),
)]
pub async fn health(State(ctx): State<AppContext>) -> Result<Json<Value>, ApiError> {
    shared::db::ping(&ctx.db).await.map_err(|_| ApiError::Unavailable("The database is unreachable".into()))?;
    Ok(Json(json!({ "success": true, "status": "ok", "database": "ok" })))
}
