//! `GET /api/health`: up, and able to reach the database.

use axum::{extract::State, Json};
use serde::Serialize;
use shared::{ApiError, AppContext};
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct Health {
    success: bool,
    #[schema(example = "ok")]
    status: &'static str,
    #[schema(example = "ok")]
    database: &'static str,
}

#[utoipa::path(
    get,
    path = "/api/health",
    tag = "meta",
    summary = "Up, and able to reach the database",
    responses((status = 200, description = "Healthy", body = Health)),
)]
pub async fn health(State(ctx): State<AppContext>) -> Result<Json<Health>, ApiError> {
    shared::db::ping(&ctx.db).await.map_err(|_| ApiError::Unavailable("The database is unreachable".into()))?;
    Ok(Json(Health { success: true, status: "ok", database: "ok" }))
}
