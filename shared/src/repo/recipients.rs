//! The `recipients` table: bulk replacement on import, paged listing,
//! status counts and the full list for reports.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use sqlx::{MySql, MySqlConnection, MySqlExecutor, QueryBuilder};

use crate::{
    domain::{Phone, RecipientSortBy, SortOrder, StoredRecipientStatus},
    governor::cold::ContactKind,
};

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
    /// The list's other columns, a JSON object (see [`variables`]).
    pub variables: Option<String>,
    pub replied_at: Option<DateTime<Utc>>,
    pub reply_text: Option<String>,
    pub read_at: Option<DateTime<Utc>>,
    pub opted_out: bool,
    /// The person wrote to the campaign's number (see `warm_contacts`).
    pub warm: bool,
}

impl RecipientRecord {
    pub fn contact_kind(&self) -> ContactKind {
        if self.warm {
            ContactKind::Warm
        } else {
            ContactKind::Cold
        }
    }

    pub fn variables(&self) -> BTreeMap<String, String> {
        variables(self.variables.as_deref())
    }
}

/// A stored `variables` column as header → text (empty if absent).
pub fn variables(stored: Option<&str>) -> BTreeMap<String, String> {
    stored.and_then(|json| serde_json::from_str(json).ok()).unwrap_or_default()
}

/// `warm`: the person wrote to the number the campaign sends from.
const COLUMNS: &str =
    "id, phone, name, status, sent_at, delivered_at, error, variables, replied_at, reply_text, read_at, opted_out, \
     EXISTS (SELECT 1 FROM campaigns c JOIN warm_contacts w ON w.account_id = c.whatsapp_account_id \
             AND w.phone = recipients.phone WHERE c.id = recipients.campaign_id) AS warm";

/// One row of an import: a canonical phone, an optional name, and the
/// list's other columns (header → text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRecipient {
    pub phone: Phone,
    pub name: Option<String>,
    pub variables: BTreeMap<String, String>,
}

/// Rows per INSERT: large enough that 100,000 recipients take a few dozen
/// round trips, small enough to stay far below the 65,535 placeholders a
/// prepared statement may have and MySQL's default max_allowed_packet.
pub const ROWS_PER_INSERT: usize = 2_000;

/// Deletes by primary key, not `WHERE campaign_id = ?`: a range DELETE takes
/// next-key locks on the `(campaign_id, phone)` index, and the lock on the
/// gap after the campaign's last row is the neighbouring campaign's first —
/// two imports of adjacent campaigns then deadlock (1213) or wait each other
/// out (1205). The ids are read plainly; the caller holds the campaign's row
/// lock, so no other import can change them meanwhile.
pub async fn delete_for_campaign(conn: &mut MySqlConnection, campaign_id: i64) -> Result<u64, sqlx::Error> {
    let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM recipients WHERE campaign_id = ?")
        .bind(campaign_id)
        .fetch_all(&mut *conn)
        .await?;
    let mut deleted = 0;
    for chunk in ids.chunks(ROWS_PER_INSERT) {
        let mut query = QueryBuilder::<MySql>::new("DELETE FROM recipients WHERE id IN (");
        {
            let mut list = query.separated(", ");
            for id in chunk {
                list.push_bind(*id);
            }
        }
        query.push(")");
        deleted += query.build().execute(&mut *conn).await?.rows_affected();
    }
    Ok(deleted)
}

/// Insert every row with multi-row INSERTs, on one connection (normally the
/// import's transaction).
pub async fn insert_many(
    conn: &mut MySqlConnection,
    campaign_id: i64,
    rows: &[NewRecipient],
) -> Result<(), sqlx::Error> {
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        let mut query = QueryBuilder::<MySql>::new("INSERT INTO recipients (campaign_id, phone, name, variables) ");
        query.push_values(chunk, |mut row, recipient| {
            let variables = (!recipient.variables.is_empty())
                .then(|| serde_json::to_string(&recipient.variables).unwrap_or_default());
            row.push_bind(campaign_id)
                .push_bind(recipient.phone.as_str())
                .push_bind(recipient.name.as_deref())
                .push_bind(variables);
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

/// What recipients did with a campaign's message.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Engagement {
    pub read: u64,
    pub replied: u64,
    pub opted_out: u64,
}

pub async fn engagement(db: impl MySqlExecutor<'_>, campaign_id: i64) -> Result<Engagement, sqlx::Error> {
    let (read, replied, opted_out): (i64, i64, i64) = sqlx::query_as(
        "SELECT CAST(COALESCE(SUM(read_at IS NOT NULL), 0) AS SIGNED), \
         CAST(COALESCE(SUM(replied_at IS NOT NULL), 0) AS SIGNED), CAST(COALESCE(SUM(opted_out), 0) AS SIGNED) \
         FROM recipients WHERE campaign_id = ?",
    )
    .bind(campaign_id)
    .fetch_one(db)
    .await?;
    Ok(Engagement { read: read as u64, replied: replied as u64, opted_out: opted_out as u64 })
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

/// A campaign's PENDING recipients, split by whether they wrote to the
/// number it sends from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PendingByContactKind {
    pub warm: u64,
    pub cold: u64,
}

/// Warm: the person is in `warm_contacts` of `account_id` (none without a
/// number).
pub async fn pending_by_contact_kind(
    db: impl MySqlExecutor<'_>,
    campaign_id: i64,
    account_id: Option<i64>,
) -> Result<PendingByContactKind, sqlx::Error> {
    // SUM is a DECIMAL in MySQL: cast back to an integer sqlx decodes.
    let (warm, all): (i64, i64) = sqlx::query_as(
        "SELECT CAST(COALESCE(SUM(warm), 0) AS SIGNED), COUNT(*) FROM ( \
           SELECT EXISTS (SELECT 1 FROM warm_contacts w WHERE w.account_id = ? AND w.phone = r.phone) AS warm \
           FROM recipients r WHERE r.campaign_id = ? AND r.status = 'PENDING') pending",
    )
    .bind(account_id)
    .bind(campaign_id)
    .fetch_one(db)
    .await?;
    Ok(PendingByContactKind { warm: warm as u64, cold: (all - warm) as u64 })
}
