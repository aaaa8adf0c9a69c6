//! `page` (1-based) and `limit` (default 10, at most 100) from a query
//! string, and the `pagination` object of a list answer.

use serde::Serialize;

pub const DEFAULT_LIMIT: u32 = 10;
pub const MAX_LIMIT: u32 = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub page: u32,
    pub limit: u32,
}

impl Default for PageRequest {
    fn default() -> Self {
        Self { page: 1, limit: DEFAULT_LIMIT }
    }
}

impl PageRequest {
    pub fn parse_page(raw: Option<&str>) -> Result<u32, String> {
        match raw.map(str::trim).filter(|r| !r.is_empty()) {
            None => Ok(1),
            Some(raw) => match raw.parse::<u32>() {
                Ok(page) if (1..=1_000_000).contains(&page) => Ok(page),
                _ => Err("must be a whole number from 1".into()),
            },
        }
    }

    pub fn parse_limit(raw: Option<&str>) -> Result<u32, String> {
        match raw.map(str::trim).filter(|r| !r.is_empty()) {
            None => Ok(DEFAULT_LIMIT),
            Some(raw) => match raw.parse::<u32>() {
                Ok(limit) if (1..=MAX_LIMIT).contains(&limit) => Ok(limit),
                _ => Err(format!("must be a whole number from 1 to {MAX_LIMIT}")),
            },
        }
    }

    pub fn offset(self) -> u64 {
        u64::from(self.page - 1) * u64::from(self.limit)
    }
}

/// `pagination` in a list answer.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Pagination {
    pub page: u32,
    pub limit: u32,
    pub total: u64,
    pub total_pages: u64,
}

impl Pagination {
    pub fn new(request: PageRequest, total: u64) -> Self {
        Self { page: request.page, limit: request.limit, total, total_pages: total.div_ceil(u64::from(request.limit)) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_bounds() {
        assert_eq!(PageRequest::parse_page(None), Ok(1));
        assert_eq!(PageRequest::parse_page(Some("3")), Ok(3));
        assert!(PageRequest::parse_page(Some("0")).is_err());
        assert!(PageRequest::parse_page(Some("x")).is_err());
        assert_eq!(PageRequest::parse_limit(None), Ok(10));
        assert_eq!(PageRequest::parse_limit(Some("100")), Ok(100));
        assert!(PageRequest::parse_limit(Some("101")).is_err());
        assert_eq!(PageRequest { page: 3, limit: 20 }.offset(), 40);
        assert_eq!(Pagination::new(PageRequest { page: 1, limit: 10 }, 21).total_pages, 3);
        assert_eq!(Pagination::new(PageRequest::default(), 0).total_pages, 0);
    }
}
