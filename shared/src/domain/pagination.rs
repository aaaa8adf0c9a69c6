//! `page` and `limit` of a list request (SPEC "Conventions": 1-based page,
//! limit 10 by default and at most 100), and the `pagination` object of the
//! answer.

use serde::{Deserialize, Serialize};

use crate::validation::Fields;

pub const DEFAULT_LIMIT: u32 = 10;
pub const MAX_LIMIT: u32 = 100;
/// The last page one may ask for (the document's `maximum` for `page`, the
/// largest `int32`): beyond it a list is refused rather than read as empty.
pub const MAX_PAGE: u32 = i32::MAX as u32;

/// `?page=&limit=` as sent; parsed with the other query fields so every
/// invalid one is reported together.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    #[param(value_type = Option<u32>)]
    pub page: Option<String>,
    #[param(value_type = Option<u32>)]
    pub limit: Option<String>,
}

impl PageQuery {
    pub fn parse(&self, f: &mut Fields) -> Option<PageRequest> {
        let page = f.check("page", PageRequest::parse_page(self.page.as_deref()));
        let limit = f.check("limit", PageRequest::parse_limit(self.limit.as_deref()));
        Some(PageRequest { page: page?, limit: limit? })
    }

    /// A query of nothing but `page` and `limit`.
    pub fn into_request(self) -> Result<PageRequest, crate::error::ApiError> {
        let mut f = Fields::new();
        let request = self.parse(&mut f);
        f.build(|| request)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub page: u32,
    pub limit: u32,
}

#[derive(Debug, thiserror::Error)]
pub enum InvalidPage {
    #[error("must be a whole number between 1 and {MAX_PAGE}")]
    Page,
    #[error("must be a whole number between 1 and {MAX_LIMIT}")]
    Limit,
}

impl PageRequest {
    pub fn parse_page(raw: Option<&str>) -> Result<u32, InvalidPage> {
        match raw.map(str::trim).filter(|s| !s.is_empty()) {
            None => Ok(1),
            Some(text) => text.parse().ok().filter(|page| (1..=MAX_PAGE).contains(page)).ok_or(InvalidPage::Page),
        }
    }

    pub fn parse_limit(raw: Option<&str>) -> Result<u32, InvalidPage> {
        match raw.map(str::trim).filter(|s| !s.is_empty()) {
            None => Ok(DEFAULT_LIMIT),
            Some(text) => text.parse().ok().filter(|limit| (1..=MAX_LIMIT).contains(limit)).ok_or(InvalidPage::Limit),
        }
    }

    pub fn offset(self) -> u64 {
        u64::from(self.page - 1) * u64::from(self.limit)
    }

    /// The answer's `pagination` for `total` matching rows.
    pub fn paginate(self, total: i64) -> Pagination {
        let total = total.max(0);
        let limit = i64::from(self.limit);
        Pagination { page: self.page, limit: self.limit, total, total_pages: (total + limit - 1) / limit }
    }
}

#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Pagination {
    pub page: u32,
    pub limit: u32,
    pub total: i64,
    pub total_pages: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_bounds_and_pages() {
        assert_eq!(PageRequest::parse_page(None).unwrap(), 1);
        assert_eq!(PageRequest::parse_limit(Some(" ")).unwrap(), DEFAULT_LIMIT);
        assert!(PageRequest::parse_page(Some("0")).is_err());
        assert!(PageRequest::parse_page(Some("x")).is_err());
        assert!(PageRequest::parse_limit(Some("101")).is_err());
        let request = PageRequest { page: 3, limit: 10 };
        assert_eq!(request.offset(), 20);
        assert_eq!(request.paginate(21).total_pages, 3);
        assert_eq!(request.paginate(0).total_pages, 0);
    }
}
