//! Orders: a buyer's intent to buy one package, paid through `payments`.

use serde::Deserialize;

use crate::{
    domain::{PackageStatus, PageQuery, Pagination},
    error::ApiError,
    repo::{
        orders::{self, OrderRecord, OrderSummary},
        packages::{self, PackageRecord},
    },
    AppContext,
};

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct OrderInput {
    pub package_id: i64,
}

pub struct NewOrder {
    pub order: OrderRecord,
    pub package: PackageRecord,
}

/// A PENDING order for a package that is on sale.
#[tracing::instrument(skip_all, fields(user.id = user_id, package.id = input.package_id))]
pub async fn create(ctx: &AppContext, user_id: i64, input: OrderInput) -> Result<NewOrder, ApiError> {
    let package = packages::find_by_id(&ctx.db, input.package_id)
        .await?
        .filter(|p| p.status == PackageStatus::Active)
        .ok_or_else(|| ApiError::not_found("Package"))?;
    let id = orders::insert(&ctx.db, user_id, package.id).await?;
    let order =
        orders::find_by_id(&ctx.db, id).await?.ok_or_else(|| ApiError::internal(anyhow::anyhow!("order vanished")))?;
    tracing::info!(order.id = id, "order created");
    Ok(NewOrder { order, package })
}

/// The caller's own orders, newest first.
pub async fn list_own(
    ctx: &AppContext,
    user_id: i64,
    page: PageQuery,
) -> Result<(Vec<OrderSummary>, Pagination), ApiError> {
    let page = page.into_request()?;
    let rows = orders::list_for_user(&ctx.db, user_id, page).await?;
    let total = orders::count_for_user(&ctx.db, user_id).await?;
    Ok((rows, page.paginate(total)))
}
