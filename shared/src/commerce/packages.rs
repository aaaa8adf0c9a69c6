//! The package catalogue: public reads of what is on sale, admin writes.

use serde::Deserialize;

use crate::{
    db,
    domain::{package, PackageFields, PackageStatus, Price},
    error::ApiError,
    repo::packages::{self, PackageRecord},
    validation::{query_enum, Fields},
    AppContext,
};

/// The body of create (every required field) and update (any subset).
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PackageInput {
    pub title: Option<String>,
    pub description: Option<String>,
    pub price: Option<i64>,
    /// Days.
    pub duration: Option<i64>,
    pub category: Option<String>,
    pub message_limit: Option<i64>,
    pub status: Option<PackageStatus>,
}

impl PackageInput {
    /// The package's fields: what was given, over `current` when updating.
    /// For a new package, title, price, duration and messageLimit are required.
    fn parse(self, current: Option<&PackageRecord>) -> Result<PackageFields, ApiError> {
        let mut f = Fields::new();
        // Optional fields default to "none" on a new package.
        let current_description = Some(current.and_then(|c| c.description.clone()));
        let current_category = Some(current.and_then(|c| c.category.clone()));
        let title = pick(&mut f, "title", self.title, |raw| package::title(&raw), current.map(|c| c.title.clone()));
        let description =
            pick(&mut f, "description", self.description, |raw| package::description(&raw), current_description);
        let price = pick(&mut f, "price", self.price, Price::parse, current.and_then(|c| Price::parse(c.price).ok()));
        let duration = pick(&mut f, "duration", self.duration, package::duration_days, current.map(|c| c.duration));
        let category = pick(&mut f, "category", self.category, |raw| package::category(&raw), current_category);
        let message_limit =
            pick(&mut f, "messageLimit", self.message_limit, package::message_limit, current.map(|c| c.message_limit));
        let status = self.status.or(current.map(|c| c.status)).unwrap_or(PackageStatus::Active);
        f.build(|| {
            Some(PackageFields {
                title: title?,
                description: description?,
                price: price?,
                duration_days: duration?,
                category: category?,
                message_limit: message_limit?,
                status,
            })
        })
    }
}

/// The given value parsed, else the current one, else "is required".
fn pick<R, T, E: std::fmt::Display>(
    f: &mut Fields,
    field: &str,
    given: Option<R>,
    parse: impl FnOnce(R) -> Result<T, E>,
    current: Option<T>,
) -> Option<T> {
    match (given, current) {
        (Some(raw), _) => f.check(field, parse(raw)),
        (None, Some(value)) => Some(value),
        (None, None) => f.check(field, Err::<T, _>("is required")),
    }
}

/// `?status=`, honoured for administrators.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PackageListQuery {
    #[param(value_type = Option<crate::domain::PackageStatus>)]
    pub status: Option<String>,
}

/// Administrators see every package (optionally by status); everyone else
/// sees what is on sale.
pub async fn list(ctx: &AppContext, admin_view: bool, query: PackageListQuery) -> Result<Vec<PackageRecord>, ApiError> {
    let mut f = Fields::new();
    let status = f.check("status", query_enum::<PackageStatus>(query.status.as_deref()));
    let status = f.build(|| status)?;
    let status = if admin_view { status } else { Some(PackageStatus::Active) };
    Ok(packages::list(&ctx.db, status).await?)
}

/// A package not on sale is not found, except for administrators.
pub async fn get(ctx: &AppContext, id: i64, admin_view: bool) -> Result<PackageRecord, ApiError> {
    packages::find_by_id(&ctx.db, id)
        .await?
        .filter(|p| admin_view || p.status == PackageStatus::Active)
        .ok_or_else(|| ApiError::not_found("Package"))
}

#[tracing::instrument(skip_all)]
pub async fn create(ctx: &AppContext, input: PackageInput) -> Result<PackageRecord, ApiError> {
    let fields = input.parse(None)?;
    let id = packages::insert(&ctx.db, &fields).await?;
    tracing::info!(package.id = id, "package created");
    get(ctx, id, true).await
}

#[tracing::instrument(skip_all, fields(package.id = id))]
pub async fn update(ctx: &AppContext, id: i64, input: PackageInput) -> Result<PackageRecord, ApiError> {
    let mut tx = ctx.db.begin().await?;
    let current = packages::find_for_update(&mut *tx, id).await?.ok_or_else(|| ApiError::not_found("Package"))?;
    let fields = input.parse(Some(&current))?;
    packages::update(&mut *tx, id, &fields).await?;
    tx.commit().await?;
    get(ctx, id, true).await
}

/// What deleting did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Removal {
    Deleted,
    /// Orders or grants refer to it, so it was taken off sale instead: the
    /// buyers' history keeps its package.
    Deactivated,
}

#[tracing::instrument(skip_all, fields(package.id = id))]
pub async fn delete(ctx: &AppContext, id: i64) -> Result<Removal, ApiError> {
    match packages::delete(&ctx.db, id).await {
        Ok(true) => Ok(Removal::Deleted),
        Ok(false) => Err(ApiError::not_found("Package")),
        Err(err) if db::foreign_key_violation(&err) => {
            packages::set_status(&ctx.db, id, PackageStatus::Inactive).await?;
            Ok(Removal::Deactivated)
        }
        Err(err) => Err(err.into()),
    }
}
