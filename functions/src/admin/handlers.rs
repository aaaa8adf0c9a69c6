//! Thin handlers: parse, call one admin operation, shape the answer.

use axum::{
    extract::{multipart::MultipartRejection, Multipart, State},
    response::{IntoResponse, Response},
    Json,
};
use serde::Serialize;
use shared::{
    admin::{
        dashboard, roles,
        roles::RoleInput,
        template,
        users::{self, StatusInput, UserListQuery},
        Actor,
    },
    commerce::payments::{self, TransactionListQuery},
    domain::Pagination,
    ApiError, AppContext,
};
use utoipa::ToSchema;

use super::views::{StatsView, TemplateView};
use crate::{
    auth::{handlers::UserAnswer, views::Profile},
    http::{upload::read_file, AdminUser, JsonBody, PathId, QueryParams},
    payments::{handlers::TransactionList, views::TransactionView},
};

type Answer = Result<Response, ApiError>;

#[derive(Serialize, ToSchema)]
pub struct UserList<'a> {
    success: bool,
    users: Vec<Profile<'a>>,
    pagination: Pagination,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StatusChanged<'a> {
    success: bool,
    message: &'static str,
    user: Profile<'a>,
    /// Refresh tokens revoked by a ban.
    revoked_sessions: u64,
    /// Running campaigns stopped by a ban.
    paused_campaigns: u64,
}

#[derive(Serialize, ToSchema)]
pub struct Dashboard {
    success: bool,
    stats: StatsView,
}

#[derive(Serialize, ToSchema)]
pub struct TemplateAnswer<'a> {
    success: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<&'static str>,
    /// Null when no template was uploaded (the built-in one is served).
    template: Option<TemplateView<'a>>,
}

/// `multipart/form-data` with the workbook in `template`.
#[allow(dead_code)] // only described: the handler reads the form field by field
#[derive(Serialize, ToSchema)]
pub struct TemplateUpload {
    /// An .xlsx whose first row has a phone column, at most 5 MB.
    #[schema(value_type = String, format = Binary)]
    template: Vec<u8>,
}

fn actor(admin: AdminUser) -> Actor {
    Actor { id: admin.id, role: admin.role }
}

#[utoipa::path(
    get,
    path = "/api/admin/users",
    tag = "admin",
    summary = "Users, filtered and paged",
    params(shared::admin::users::UserListQuery),
    responses((status = 200, description = "A page of users", body = UserList<'static>)),
    security(("bearer" = [])),
)]
pub async fn users(
    State(ctx): State<AppContext>,
    _admin: AdminUser,
    QueryParams(query): QueryParams<UserListQuery>,
) -> Answer {
    let (rows, pagination) = users::list(&ctx, query).await?;
    let users = rows.iter().map(Profile::from).collect();
    Ok(Json(UserList { success: true, users, pagination }).into_response())
}

#[utoipa::path(
    patch,
    path = "/api/admin/users/{userId}/role",
    tag = "admin",
    summary = "Change a role (ADMIN/SUPER_ADMIN only by a SUPER_ADMIN; never one's own)",
    request_body = shared::admin::roles::RoleInput,
    params(("userId" = i64, Path, description = "The user's id")),
    responses((status = 200, description = "Changed", body = UserAnswer<'static>)),
    security(("bearer" = [])),
)]
pub async fn change_role(
    State(ctx): State<AppContext>,
    admin: AdminUser,
    PathId(user_id): PathId,
    JsonBody(input): JsonBody<RoleInput>,
) -> Answer {
    let user = roles::change_role(&ctx, actor(admin), user_id, input).await?;
    Ok(Json(UserAnswer::new(Some("Role changed"), &user)).into_response())
}

#[utoipa::path(
    patch,
    path = "/api/admin/users/{userId}/status",
    tag = "admin",
    summary = "ACTIVE, INACTIVE or BANNED (a ban revokes tokens and stops campaigns)",
    request_body = shared::admin::users::StatusInput,
    params(("userId" = i64, Path, description = "The user's id")),
    responses((status = 200, description = "Changed", body = StatusChanged<'static>)),
    security(("bearer" = [])),
)]
pub async fn change_status(
    State(ctx): State<AppContext>,
    admin: AdminUser,
    PathId(user_id): PathId,
    JsonBody(input): JsonBody<StatusInput>,
) -> Answer {
    let (user, effects) = users::change_status(&ctx, actor(admin), user_id, input).await?;
    Ok(Json(StatusChanged {
        success: true,
        message: "Status changed",
        user: Profile::from(&user),
        revoked_sessions: effects.revoked_sessions,
        paused_campaigns: effects.paused_campaigns,
    })
    .into_response())
}

#[utoipa::path(
    get,
    path = "/api/admin/transactions",
    tag = "admin",
    summary = "All transactions",
    params(shared::commerce::payments::TransactionListQuery),
    responses((status = 200, description = "A page of transactions", body = TransactionList<'static>)),
    security(("bearer" = [])),
)]
pub async fn transactions(
    State(ctx): State<AppContext>,
    _admin: AdminUser,
    QueryParams(query): QueryParams<TransactionListQuery>,
) -> Answer {
    let (rows, pagination) = payments::list_all(&ctx, query).await?;
    let transactions = rows.iter().map(TransactionView::for_admin).collect();
    Ok(Json(TransactionList { success: true, transactions, pagination }).into_response())
}

#[utoipa::path(
    get,
    path = "/api/admin/dashboard",
    tag = "admin",
    summary = "Dashboard figures",
    responses((status = 200, description = "The figures", body = Dashboard)),
    security(("bearer" = [])),
)]
pub async fn dashboard(State(ctx): State<AppContext>, _admin: AdminUser) -> Answer {
    let stats = dashboard::stats(&ctx).await?;
    Ok(Json(Dashboard { success: true, stats: StatsView::from(stats) }).into_response())
}

#[utoipa::path(
    post,
    path = "/api/admin/excel-template",
    tag = "admin",
    summary = "Replace the downloadable recipients template",
    request_body(content = TemplateUpload, content_type = "multipart/form-data"),
    responses((status = 200, description = "Uploaded", body = TemplateAnswer<'static>)),
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
    let template = Some(TemplateView::from(&record));
    Ok(Json(TemplateAnswer { success: true, message: Some("Template uploaded"), template }).into_response())
}

#[utoipa::path(
    get,
    path = "/api/admin/excel-template/info",
    tag = "admin",
    summary = "The current template's name, size and upload time",
    responses((status = 200, description = "The template, or null", body = TemplateAnswer<'static>)),
    security(("bearer" = [])),
)]
pub async fn template_info(State(ctx): State<AppContext>, _admin: AdminUser) -> Answer {
    let record = template::info(&ctx).await?;
    let template = record.as_ref().map(TemplateView::from);
    Ok(Json(TemplateAnswer { success: true, message: None, template }).into_response())
}
