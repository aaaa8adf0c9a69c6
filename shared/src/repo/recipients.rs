//! The `recipients` table: bulk replacement on import, paged listing,
//! status counts and the full list for reports.

use chrono::{DateTime, Utc};
use sqlx::{MySql, MySqlConnection, MySqlExecutor, QueryBuilder};

use crate::domain::{Phone, RecipientSortBy, SortOrder, StoredRecipientStatus};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RecipientRecord {
    pub id: i64,
    pub phone: String,
    pub name: Option<String>,
    #[sqlx(try_from = "String")]
    pub status: StoredRecipientStatus,
    pub sent_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub error: Option<String>,
}

const COLUMNS: &str = "id, phone, name, status, sent_at, delivered_at, error";

/// One row of an import: a canonical phone and an optional name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRecipient {
    pub phone: Phone,
    pub name: Option<String>,
}

/// Rows per INSERT: large enough that 100,000 recipients take a few dozen
/// round trips, small enough to stay far below the 65,535 placeholders a
/// prepared statement may have and MySQL's default max_allowed_packet.
pub const ROWS_PER_INSERT: usize = 2_000;

pub async fn delete_for_campaign(db: impl MySqlExecutor<'_>, campaign_id: i64) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("DELETE FROM recipients WHERE campaign_id = ?").bind(campaign_id).execute(db).await?;
    Ok(done.rows_affected())
}

/// Insert every row with multi-row INSERTs, on one connection (normally the
/// import's transaction).
pub async fn insert_many(
    conn: &mut MySqlConnection,
    campaign_id: i64,
    rows: &[NewRecipient],
) -> Result<(), sqlx::Error> {
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        let mut query = QueryBuilder::<MySql>::new("INSERT INTO recipients (campaign_id, phone, name) ");
        query.push_values(chunk, |mut row, recipient| {
            row.push_bind(campaign_id).push_bind(recipient.phone.as_str()).push_bind(recipient.name.as_deref());
        });
        query.build().execute(&mut *conn).await?;
    }
    Ok(())
}

/// How many recipients are in each stored status (absent ones have none).
pub async fn count_by_status(
    db: impl MySqlExecutor<'_>,
    campaign_id: i64,
) -> Result<Vec<(StoredRecipientStatus, i64)>, sqlx::Error> {
    let rows: Vec<(String, i64)> =
        sqlx::query_as("SELECT status, COUNT(*) FROM recipients WHERE campaign_id = ? GROUP BY status")
            .bind(campaign_id)
            .fetch_all(db)
            .await?;
    rows.into_iter()
        .map(|(status, count)| status.parse().map(|s| (s, count)).map_err(|e: String| sqlx::Error::Decode(e.into())))
        .collect()
}

/// Seconds from sent to delivered, averaged over delivered recipients.
pub async fn average_delivery_seconds(
    db: impl MySqlExecutor<'_>,
    campaign_id: i64,
) -> Result<Option<f64>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT CAST(AVG(TIMESTAMPDIFF(MICROSECOND, sent_at, delivered_at)) / 1000000 AS DOUBLE) FROM recipients \
         WHERE campaign_id = ? AND sent_at IS NOT NULL AND delivered_at IS NOT NULL",
    )
    .bind(campaign_id)
    .fetch_one(db)
    .await
}

/// Which recipients a list shows, and in what order.
#[derive(Debug, Clone)]
pub struct RecipientQuery {
    /// Empty: every status.
    pub statuses: Vec<StoredRecipientStatus>,
    pub sort_by: RecipientSortBy,
    pub order: SortOrder,
}

fn push_where<'a>(query: &mut QueryBuilder<'a, MySql>, campaign_id: i64, statuses: &'a [StoredRecipientStatus]) {
    query.push(" WHERE campaign_id = ").push_bind(campaign_id);
    if !statuses.is_empty() {
        query.push(" AND status IN (");
        let mut list = query.separated(", ");
        for status in statuses {
            list.push_bind(status.as_str());
        }
        query.push(")");
    }
}

pub async fn page(
    db: impl MySqlExecutor<'_>,
    campaign_id: i64,
    filter: &RecipientQuery,
    limit: u32,
    offset: u64,
) -> Result<Vec<RecipientRecord>, sqlx::Error> {
    let column = match filter.sort_by {
        RecipientSortBy::Id => "id",
        RecipientSortBy::Phone => "phone",
        RecipientSortBy::Name => "name",
        RecipientSortBy::Status => "status",
        RecipientSortBy::SentAt => "sent_at",
    };
    let direction = match filter.order {
        SortOrder::Asc => "ASC",
        SortOrder::Desc => "DESC",
    };
    let mut query = QueryBuilder::<MySql>::new(format!("SELECT {COLUMNS} FROM recipients"));
    push_where(&mut query, campaign_id, &filter.statuses);
    // Both identifiers come from the whitelist above, never from input.
    query.push(format!(" ORDER BY {column} {direction}, id {direction} LIMIT "));
    query.push_bind(limit).push(" OFFSET ").push_bind(offset);
    query.build_query_as().fetch_all(db).await
}

pub async fn count(
    db: impl MySqlExecutor<'_>,
    campaign_id: i64,
    statuses: &[StoredRecipientStatus],
) -> Result<u64, sqlx::Error> {
    let mut query = QueryBuilder::<MySql>::new("SELECT COUNT(*) FROM recipients");
    push_where(&mut query, campaign_id, statuses);
    let count: i64 = query.build_query_scalar().fetch_one(db).await?;
    Ok(count as u64)
}

/// The first `limit` recipients in list order.
pub async fn first(
    db: impl MySqlExecutor<'_>,
    campaign_id: i64,
    limit: u32,
) -> Result<Vec<RecipientRecord>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM recipients WHERE campaign_id = ? ORDER BY id LIMIT ?"))
        .bind(campaign_id)
        .bind(limit)
        .fetch_all(db)
        .await
}

/// Every recipient, in list order (for the report workbook).
pub async fn all(db: impl MySqlExecutor<'_>, campaign_id: i64) -> Result<Vec<RecipientRecord>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM recipients WHERE campaign_id = ? ORDER BY id"))
        .bind(campaign_id)
        .fetch_all(db)
        .await
}
