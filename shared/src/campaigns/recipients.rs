//! A page of a campaign's recipients: `sortBy` and `sortOrder` from a
//! whitelist, an optional `status` filter (in SPEC's spelling, which covers
//! the sender's internal statuses too), `page` and `limit`. Each recipient
//! comes with the exact text they get (see `personal`).

use serde::Deserialize;

use super::owned;
use crate::{
    domain::{PageRequest, Pagination, RecipientSortBy, RecipientStatus, SortOrder},
    error::ApiError,
    repo::recipients::{self, RecipientQuery, RecipientRecord},
    validation::Fields,
    AppContext,
};

/// The query string, as given.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query, rename_all = "camelCase")]
pub struct RecipientListQuery {
    #[param(value_type = Option<String>, pattern = "^(id|phone|name|status|sentAt)$")]
    pub sort_by: Option<String>,
    #[param(value_type = Option<String>, pattern = "^(asc|desc)$")]
    pub sort_order: Option<String>,
    #[param(value_type = Option<crate::domain::RecipientStatus>)]
    pub status: Option<String>,
    #[param(value_type = Option<u32>)]
    pub page: Option<String>,
    #[param(value_type = Option<u32>)]
    pub limit: Option<String>,
}

pub struct RecipientPage {
    pub recipients: Vec<RecipientRecord>,
    /// The exact text of each, in the same order.
    pub texts: Vec<String>,
    pub pagination: Pagination,
}

fn given(raw: &Option<String>) -> Option<&str> {
    raw.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl RecipientListQuery {
    fn parse(&self) -> Result<(RecipientQuery, PageRequest), ApiError> {
        let mut f = Fields::new();
        let sort_by = f.check("sortBy", given(&self.sort_by).map_or(Ok(RecipientSortBy::Id), str::parse));
        let order = f.check("sortOrder", given(&self.sort_order).map_or(Ok(SortOrder::Asc), str::parse));
        let status = f.check("status", given(&self.status).map(str::parse::<RecipientStatus>).transpose());
        let page = f.check("page", PageRequest::parse_page(self.page.as_deref()));
        let limit = f.check("limit", PageRequest::parse_limit(self.limit.as_deref()));
        f.build(|| {
            let statuses = status?.map(|s| s.stored().to_vec()).unwrap_or_default();
            Some((
                RecipientQuery { statuses, sort_by: sort_by?, order: order? },
                PageRequest { page: page?, limit: limit? },
            ))
        })
    }
}

pub async fn list_recipients(
    ctx: &AppContext,
    user_id: i64,
    id: i64,
    query: RecipientListQuery,
) -> Result<RecipientPage, ApiError> {
    let (filter, request) = query.parse()?;
    let campaign = owned(&ctx.db, id, user_id).await?;
    let recipients = recipients::page(&ctx.db, id, &filter, request.limit, request.offset()).await?;
    let total = recipients::count(&ctx.db, id, &filter.statuses).await?;
    let template = super::personal::template_of(&campaign);
    let texts = recipients.iter().map(|r| super::personal::text_for(&campaign, template.as_ref(), r)).collect();
    Ok(RecipientPage { recipients, texts, pagination: request.paginate(total as i64) })
}
