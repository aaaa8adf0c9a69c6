//! Thin handlers: parse, call one catalogue operation, shape the answer.

use axum::{
    extract::State,
    response::{IntoResponse, Response},
    Json,
};
use serde::Serialize;
use shared::{
    commerce::packages::{self, PackageInput, PackageListQuery, Removal},
    domain::PackageStatus,
    ApiError, AppContext,
};
use utoipa::ToSchema;

use super::views::PackageView;
use crate::http::{layers::created, AdminUser, CurrentUser, JsonBody, PathId, QueryParams};

type Answer = Result<Response, ApiError>;

#[derive(Serialize, ToSchema)]
pub struct PackageList<'a> {
    success: bool,
    packages: Vec<PackageView<'a>>,
}

#[derive(Serialize, ToSchema)]
pub struct PackageAnswer<'a> {
    success: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<&'static str>,
    package: PackageView<'a>,
}

#[derive(Serialize, ToSchema)]
pub struct PackageRemoved {
    success: bool,
    message: &'static str,
    /// False when the package had orders and was deactivated instead.
    deleted: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<PackageStatus>,
}

fn is_admin(caller: Option<CurrentUser>) -> bool {
    caller.is_some_and(|c| c.role.is_admin())
}

#[utoipa::path(
    get,
    path = "/api/packages",
    tag = "packages",
    summary = "Active packages (admins may filter by status)",
    params(shared::commerce::packages::PackageListQuery),
    responses((status = 200, description = "Packages", body = PackageList<'static>)),
)]
pub async fn list(
    State(ctx): State<AppContext>,
    caller: Option<CurrentUser>,
    QueryParams(query): QueryParams<PackageListQuery>,
) -> Answer {
    let packages = packages::list(&ctx, is_admin(caller), query).await?;
    let packages = packages.iter().map(PackageView::from).collect();
    Ok(Json(PackageList { success: true, packages }).into_response())
}

#[utoipa::path(
    get,
    path = "/api/packages/{id}",
    tag = "packages",
    summary = "One active package",
    params(("id" = i64, Path, description = "The package's id")),
    responses((status = 200, description = "The package", body = PackageAnswer<'static>)),
)]
pub async fn get(State(ctx): State<AppContext>, caller: Option<CurrentUser>, PathId(id): PathId) -> Answer {
    let package = packages::get(&ctx, id, is_admin(caller)).await?;
    Ok(Json(PackageAnswer { success: true, message: None, package: PackageView::from(&package) }).into_response())
}

#[utoipa::path(
    post,
    path = "/api/packages",
    tag = "packages",
    summary = "Create a package (admin)",
    request_body = shared::commerce::packages::PackageInput,
    responses((status = 201, description = "Created", body = PackageAnswer<'static>)),
    security(("bearer" = [])),
)]
pub async fn create(
    State(ctx): State<AppContext>,
    _admin: AdminUser,
    JsonBody(input): JsonBody<PackageInput>,
) -> Answer {
    let package = packages::create(&ctx, input).await?;
    let package = PackageView::from(&package);
    Ok(created(Json(PackageAnswer { success: true, message: Some("Package created"), package })))
}

#[utoipa::path(
    put,
    path = "/api/packages/{id}",
    tag = "packages",
    summary = "Change a package (admin)",
    request_body = shared::commerce::packages::PackageInput,
    params(("id" = i64, Path, description = "The package's id")),
    responses((status = 200, description = "Updated", body = PackageAnswer<'static>)),
    security(("bearer" = [])),
)]
pub async fn update(
    State(ctx): State<AppContext>,
    _admin: AdminUser,
    PathId(id): PathId,
    JsonBody(input): JsonBody<PackageInput>,
) -> Answer {
    let package = packages::update(&ctx, id, input).await?;
    let package = PackageView::from(&package);
    Ok(Json(PackageAnswer { success: true, message: Some("Package updated"), package }).into_response())
}

#[utoipa::path(
    delete,
    path = "/api/packages/{id}",
    tag = "packages",
    summary = "Delete a package (admin); one with orders is deactivated instead",
    params(("id" = i64, Path, description = "The package's id")),
    responses((status = 200, description = "Deleted or deactivated", body = PackageRemoved)),
    security(("bearer" = [])),
)]
pub async fn delete(State(ctx): State<AppContext>, _admin: AdminUser, PathId(id): PathId) -> Answer {
    let body = match packages::delete(&ctx, id).await? {
        Removal::Deleted => PackageRemoved { success: true, message: "Package deleted", deleted: true, status: None },
        Removal::Deactivated => PackageRemoved {
            success: true,
            message: "The package has orders, so it was deactivated instead of deleted",
            deleted: false,
            status: Some(PackageStatus::Inactive),
        },
    };
    Ok(Json(body).into_response())
}
