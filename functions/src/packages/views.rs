//! The JSON shape of a package.

use chrono::{DateTime, Utc};
use serde::Serialize;
use shared::{domain::PackageStatus, repo::packages::PackageRecord};

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PackageView<'a> {
    pub id: i64,
    pub title: &'a str,
    pub description: Option<&'a str>,
    pub price: i64,
    /// Days.
    pub duration: i32,
    pub category: Option<&'a str>,
    pub status: PackageStatus,
    pub message_limit: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl<'a> From<&'a PackageRecord> for PackageView<'a> {
    fn from(p: &'a PackageRecord) -> Self {
        Self {
            id: p.id,
            title: &p.title,
            description: p.description.as_deref(),
            price: p.price,
            duration: p.duration,
            category: p.category.as_deref(),
            status: p.status,
            message_limit: p.message_limit,
            created_at: p.created_at,
            updated_at: p.updated_at,
        }
    }
}
