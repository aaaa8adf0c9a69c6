//! Thin handlers: parse, call one admin operation, shape the answer.

use axum::{
    extract::{multipart::MultipartRejection, Multipart, State},
    response::{IntoResponse, Response},
    Json,
};
use serde_json::json;
use shared::{
    admin::{
        dashboard, roles,
        roles::RoleInput,
        template,
        users::{self, StatusInput, UserListQuery},
        Actor,
    },
    commerce::payments::{self, TransactionListQuery},
    ApiError, AppContext,
};

use super::views::{StatsView, TemplateView};
use crate::{
    auth::views::Profile,
    http::{upload::read_file, AdminUser, JsonBody, PathId, QueryParams},
    payments::views::TransactionView,
};

type Answer = Result<Response, ApiError>;

fn actor(admin: AdminUser) -> Actor {
    Actor { id: admin.id, role: admin.role }
}

#[utoipa::path(
    get,
    path = "/api/admin/users",
    tag = "admin",
    summary = "Users, filtered and paged",
    params(shared::admin::users::UserListQuery),
    responses((status = 200, description = "A page of users", body = crate::openapi::bodies::UserList)),
    security(("bearer" = [])),
)]
pub async fn users(
    State(ctx): State<AppContext>,
    _admin: AdminUser,
    QueryParams(query): QueryParams<UserListQuery>,
) -> Answer {
    let (rows, pagination) = users::list(&ctx, query).await?;
    let users: Vec<_> = rows.iter().map(Profile::from).collect();
    Ok(Json(json!({ "success": true, "users": users, "pagination": pagination })).into_response())
}

#[utoipa::path(
    patch,
    path = "/api/admin/users/{userId}/role",
    tag = "admin",
    summary = "Change a role (ADMIN/SUPER_ADMIN only by a SUPER_ADMIN; never one's own)",
    request_body = shared::admin::roles::RoleInput,
    params(("userId" = i64, Path, description = "The user's id")),
    responses((status = 200, description = "Changed", body = crate::openapi::bodies::UserAnswer)),
    security(("bearer" = [])),
)]
pub async fn change_role(
    State(ctx): State<AppContext>,
    admin: AdminUser,
    PathId(user_id): PathId,
    JsonBody(input): JsonBody<RoleInput>,
) -> Answer {
    let user = roles::change_role(&ctx, actor(admin), user_id, input).await?;
    Ok(Json(json!({ "success": true, "message": "Role changed", "user": Profile::from(&user) })).into_response())
}

#[utoipa::path(
    patch,
    path = "/api/admin/users/{userId}/status",
    tag = "admin",
    summary = "ACTIVE, INACTIVE or BANNED (a ban revokes tokens and stops campaigns)",
    request_body = shared::admin::users::StatusInput,
    params(("userId" = i64, Path, description = "The user's id")),
    responses((status = 200, description = "Changed", body = crate::openapi::bodies::StatusChanged)),
    security(("bearer" = [])),
)]
pub async fn change_status(
    State(ctx): State<AppContext>,
    admin: AdminUser,
    PathId(user_id): PathId,
    JsonBody(input): JsonBody<StatusInput>,
) -> Answer {
    let (user, effects) = users::change_status(&ctx, actor(admin), user_id, input).await?;
    Ok(Json(json!({
        "success": true,
        "message": "Status changed",
        "user": Profile::from(&user),
        "revokedSessions": effects.revoked_sessions,
        "pausedCampaigns": effects.paused_campaigns,
    }))
    .into_response())
}

#[utoipa::path(
    get,
    path = "/api/admin/transactions",
    tag = "admin",
    summary = "All transactions",
    params(shared::commerce::payments::TransactionListQuery),
    responses((status = 200, description = "A page of transactions", body = crate::openapi::bodies::TransactionList)),
    security(("bearer" = [])),
)]
pub async fn transactions(
    State(ctx): State<AppContext>,
    _admin: AdminUser,
    QueryParams(query): QueryParams<TransactionListQuery>,
) -> Answer {
    let (rows, pagination) = payments::list_all(&ctx, query).await?;
    let transactions: Vec<_> = rows.iter().map(TransactionView::for_admin).collect();
    Ok(Json(json!({ "success": true, "transactions": transactions, "pagination": pagination })).into_response())
}

#[utoipa::path(
    get,
    path = "/api/admin/dashboard",
    tag = "admin",
    summary = "Dashboard figures",
    responses((status = 200, description = "The figures", body = crate::openapi::bodies::Dashboard)),
    security(("bearer" = [])),
)]
pub async fn dashboard(State(ctx): State<AppContext>, _admin: AdminUser) -> Answer {
    let stats = dashboard::stats(&ctx).await?;
    Ok(Json(json!({ "success": true, "stats": StatsView::from(stats) })).into_response())
}

#[utoipa::path(
    post,
    path = "/api/admin/excel-template",
    tag = "admin",
    summary = "Replace the downloadable recipients template",
    request_body(content = crate::openapi::bodies::TemplateUpload, content_type = "multipart/form-data"),
    responses((status = 200, description = "Uploaded", body = crate::openapi::bodies::TemplateAnswer)),
    security(("bearer" = [])),
)]
pub async fn upload_template(
    State(ctx): State<AppContext>,
    admin: AdminUser,
    multipart: Result<Multipart, MultipartRejection>,
) -> Answer {
    let file = read_file(multipart, "template", template::MAX_BYTES).await?;
    let name = Some(file.original_name.as_str()).filter(|name| !name.is_empty());
    let record = template::replace(&ctx, admin.id, name, file.bytes).await?;
    Ok(Json(json!({ "success": true, "message": "Template uploaded", "template": TemplateView::from(&record) }))
        .into_response())
}

#[utoipa::path(
    get,
    path = "/api/admin/excel-template/info",
    tag = "admin",
    summary = "The current template's name, size and upload time",
    responses((status = 200, description = "The template, or null", body = crate::openapi::bodies::TemplateAnswer)),
    security(("bearer" = [])),
)]
pub async fn template_info(State(ctx): State<AppContext>, _admin: AdminUser) -> Answer {
    let record = template::info(&ctx).await?;
    Ok(Json(json!({ "success": true, "template": record.as_ref().map(TemplateView::from) })).into_response())
}
