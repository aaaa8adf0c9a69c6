//! Thin handlers: parse, call one catalogue operation, shape the answer.

use axum::{
    extract::State,
    response::{IntoResponse, Response},
    Json,
};
use serde_json::json;
use shared::{
    commerce::packages::{self, PackageInput, PackageListQuery, Removal},
    ApiError, AppContext,
};

use super::views::PackageView;
use crate::http::{layers::created, AdminUser, CurrentUser, JsonBody, PathId, QueryParams};

type Answer = Result<Response, ApiError>;

fn is_admin(caller: Option<CurrentUser>) -> bool {
    caller.is_some_and(|c| c.role.is_admin())
}

#[utoipa::path(
    get,
    path = "/api/packages",
    tag = "packages",
    summary = "Active packages (admins may filter by status)",
    params(shared::commerce::packages::PackageListQuery),
    responses((status = 200, description = "Packages", body = crate::openapi::bodies::PackageList)),
)]
pub async fn list(
    State(ctx): State<AppContext>,
    caller: Option<CurrentUser>,
    QueryParams(query): QueryParams<PackageListQuery>,
) -> Answer {
    let packages = packages::list(&ctx, is_admin(caller), query).await?;
    let packages: Vec<_> = packages.iter().map(PackageView::from).collect();
    Ok(Json(json!({ "success": true, "packages": packages })).into_response())
}

#[utoipa::path(
    get,
    path = "/api/packages/{id}",
    tag = "packages",
    summary = "One active package",
    params(("id" = i64, Path, description = "The package's id")),
    responses((status = 200, description = "The package", body = crate::openapi::bodies::PackageAnswer)),
)]
pub async fn get(State(ctx): State<AppContext>, caller: Option<CurrentUser>, PathId(id): PathId) -> Answer {
    let package = packages::get(&ctx, id, is_admin(caller)).await?;
    Ok(Json(json!({ "success": true, "package": PackageView::from(&package) })).into_response())
}

#[utoipa::path(
    post,
    path = "/api/packages",
    tag = "packages",
    summary = "Create a package (admin)",
    request_body = shared::commerce::packages::PackageInput,
    responses((status = 201, description = "Created", body = crate::openapi::bodies::PackageAnswer)),
    security(("bearer" = [])),
)]
pub async fn create(
    State(ctx): State<AppContext>,
    _admin: AdminUser,
    JsonBody(input): JsonBody<PackageInput>,
) -> Answer {
    let package = packages::create(&ctx, input).await?;
    Ok(created(Json(json!({ "success": true, "message": "Package created", "package": PackageView::from(&package) }))))
}

#[utoipa::path(
    put,
    path = "/api/packages/{id}",
    tag = "packages",
    summary = "Change a package (admin)",
    request_body = shared::commerce::packages::PackageInput,
    params(("id" = i64, Path, description = "The package's id")),
    responses((status = 200, description = "Updated", body = crate::openapi::bodies::PackageAnswer)),
    security(("bearer" = [])),
)]
pub async fn update(
    State(ctx): State<AppContext>,
    _admin: AdminUser,
    PathId(id): PathId,
    JsonBody(input): JsonBody<PackageInput>,
) -> Answer {
    let package = packages::update(&ctx, id, input).await?;
    Ok(Json(json!({ "success": true, "message": "Package updated", "package": PackageView::from(&package) }))
        .into_response())
}

#[utoipa::path(
    delete,
    path = "/api/packages/{id}",
    tag = "packages",
    summary = "Delete a package (admin); one with orders is deactivated instead",
    params(("id" = i64, Path, description = "The package's id")),
    responses((status = 200, description = "Deleted or deactivated", body = crate::openapi::bodies::PackageRemoved)),
    security(("bearer" = [])),
)]
pub async fn delete(State(ctx): State<AppContext>, _admin: AdminUser, PathId(id): PathId) -> Answer {
    let body = match packages::delete(&ctx, id).await? {
        Removal::Deleted => json!({ "success": true, "message": "Package deleted", "deleted": true }),
        Removal::Deactivated => json!({
            "success": true,
            "message": "The package has orders, so it was deactivated instead of deleted",
            "deleted": false,
            "status": "INACTIVE",
        }),
    };
    Ok(Json(body).into_response())
}
