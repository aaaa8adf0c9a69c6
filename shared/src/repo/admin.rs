//! Queries of the admin panel that span aggregates: the filtered user list,
//! the dashboard figures, and stopping a banned user's campaigns.

use sqlx::MySqlExecutor;

use super::users::{UserRecord, COLUMNS as USER_COLUMNS};
use crate::domain::{CampaignStatus, PageRequest, Role, UserStatus};

/// Which users a listing shows; `None` means any.
#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    pub role: Option<Role>,
    pub status: Option<UserStatus>,
    /// Matched anywhere in name, username, e-mail or phone.
    pub search: Option<String>,
    /// Digits matched anywhere in the canonical phone (a local `0912…`
    /// typed by the admin, already turned into `98912…`).
    pub phone_digits: Option<String>,
}

const USER_FILTER: &str = "(? IS NULL OR role = ?) AND (? IS NULL OR status = ?) AND (? IS NULL \
     OR name LIKE ? ESCAPE '!' OR username LIKE ? ESCAPE '!' OR email LIKE ? ESCAPE '!' OR phone LIKE ? ESCAPE '!' \
     OR phone LIKE ?)";

/// Bind the filter's values in the order of `USER_FILTER`.
macro_rules! bind_user_filter {
    ($query:expr, $filter:expr) => {{
        let role = $filter.role.map(Role::as_str);
        let status = $filter.status.map(UserStatus::as_str);
        let pattern = $filter.search.as_deref().map(contains_pattern);
        let phone = $filter.phone_digits.as_deref().map(|digits| format!("%{digits}%"));
        $query
            .bind(role)
            .bind(role)
            .bind(status)
            .bind(status)
            .bind(pattern.clone())
            .bind(pattern.clone())
            .bind(pattern.clone())
            .bind(pattern.clone())
            .bind(pattern)
            .bind(phone)
    }};
}

/// `%text%` with LIKE's wildcards in `text` escaped (escape character `!`,
/// which means the same under every SQL mode, unlike a backslash).
fn contains_pattern(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '!') {
            pattern.push('!');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// Newest first.
pub async fn list_users(
    db: impl MySqlExecutor<'_>,
    filter: &UserFilter,
    page: PageRequest,
) -> Result<Vec<UserRecord>, sqlx::Error> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE {USER_FILTER} ORDER BY id DESC LIMIT ? OFFSET ?");
    bind_user_filter!(sqlx::query_as(&sql), filter).bind(page.limit).bind(page.offset()).fetch_all(db).await
}

pub async fn count_users(db: impl MySqlExecutor<'_>, filter: &UserFilter) -> Result<i64, sqlx::Error> {
    let sql = format!("SELECT COUNT(*) FROM users WHERE {USER_FILTER}");
    bind_user_filter!(sqlx::query_scalar(&sql), filter).fetch_one(db).await
}

#[derive(Debug, Clone, Copy, sqlx::FromRow)]
pub struct DashboardStats {
    pub total_users: i64,
    pub active_users: i64,
    pub total_campaigns: i64,
    pub running_campaigns: i64,
    pub total_revenue: i64,
    pub total_transactions: i64,
    pub successful_transactions: i64,
}

pub async fn dashboard_stats(db: impl MySqlExecutor<'_>) -> Result<DashboardStats, sqlx::Error> {
    sqlx::query_as(
        "SELECT \
           (SELECT COUNT(*) FROM users) AS total_users, \
           (SELECT COUNT(*) FROM users WHERE status = ?) AS active_users, \
           (SELECT COUNT(*) FROM campaigns) AS total_campaigns, \
           (SELECT COUNT(*) FROM campaigns WHERE status IN (?, ?)) AS running_campaigns, \
           (SELECT CAST(COALESCE(SUM(amount), 0) AS SIGNED) FROM transactions WHERE status = 'SUCCESS') AS total_revenue, \
           (SELECT COUNT(*) FROM transactions) AS total_transactions, \
           (SELECT COUNT(*) FROM transactions WHERE status = 'SUCCESS') AS successful_transactions",
    )
    .bind(UserStatus::Active.as_str())
    .bind(CampaignStatus::RUNNING[0].as_str())
    .bind(CampaignStatus::RUNNING[1].as_str())
    .fetch_one(db)
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_wildcards_are_escaped() {
        assert_eq!(contains_pattern("50%_off!"), "%50!%!_off!!%");
        assert_eq!(contains_pattern("علی"), "%علی%");
    }
}
