//! The JSON shapes only the admin area uses. Users are shown as their
//! profile (`auth::views::Profile`), transactions as in the payments area.

use chrono::{DateTime, Utc};
use serde::Serialize;
use shared::repo::{admin::DashboardStats, templates::TemplateRecord};

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StatsView {
    pub total_users: i64,
    pub active_users: i64,
    pub total_campaigns: i64,
    pub running_campaigns: i64,
    pub total_revenue: i64,
    pub total_transactions: i64,
    pub successful_transactions: i64,
}

impl From<DashboardStats> for StatsView {
    fn from(s: DashboardStats) -> Self {
        Self {
            total_users: s.total_users,
            active_users: s.active_users,
            total_campaigns: s.total_campaigns,
            running_campaigns: s.running_campaigns,
            total_revenue: s.total_revenue,
            total_transactions: s.total_transactions,
            successful_transactions: s.successful_transactions,
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TemplateView<'a> {
    pub name: &'a str,
    pub size: i64,
    pub uploaded_at: DateTime<Utc>,
    pub uploaded_by: Option<i64>,
}

impl<'a> From<&'a TemplateRecord> for TemplateView<'a> {
    fn from(t: &'a TemplateRecord) -> Self {
        Self { name: &t.original_name, size: t.size, uploaded_at: t.uploaded_at, uploaded_by: t.uploaded_by }
    }
}
