//! `GET /api/whatsapp-accounts`: the caller's WhatsApp numbers as the send
//! governor sees them.

use axum::{extract::State, Json};
use serde_json::{json, Value};
use shared::{governor::accounts, ApiError, AppContext};

use crate::http::CurrentUser;

#[utoipa::path(
    get,
    path = "/api/whatsapp-accounts",
    tag = "sessions",
    summary = "Your WhatsApp numbers: this hour's and today's sends (all campaigns), the caps in force, warm-up, restriction, last breaker trip",
    responses((status = 200, description = "The accounts", body = crate::openapi::bodies::WhatsAppAccountsAnswer)),
    security(("bearer" = [])),
)]
pub async fn list(State(ctx): State<AppContext>, caller: CurrentUser) -> Result<Json<Value>, ApiError> {
    let accounts = accounts::owned(&ctx.db, caller.id, &ctx.settings.governor).await?;
    Ok(Json(json!({ "success": true, "accounts": accounts })))
}
