//! The admin dashboard's figures, computed by the database in one query.

use crate::{
    error::ApiError,
    repo::admin::{self, DashboardStats},
    AppContext,
};

pub async fn stats(ctx: &AppContext) -> Result<DashboardStats, ApiError> {
    Ok(admin::dashboard_stats(&ctx.db).await?)
}
