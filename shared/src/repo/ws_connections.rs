//! The `ws_connections` and `ws_subscriptions` tables.

use chrono::{DateTime, Utc};
use sqlx::MySqlExecutor;

pub async fn insert(
    db: impl MySqlExecutor<'_>,
    connection_id: &str,
    user_id: i64,
    expires_at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO ws_connections (connection_id, user_id, expires_at) VALUES (?, ?, ?)")
        .bind(connection_id)
        .bind(user_id)
        .bind(expires_at)
        .execute(db)
        .await?;
    Ok(())
}

/// The user a live connection belongs to.
pub async fn owner(db: impl MySqlExecutor<'_>, connection_id: &str) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT user_id FROM ws_connections WHERE connection_id = ? AND expires_at > CURRENT_TIMESTAMP(3)",
    )
    .bind(connection_id)
    .fetch_optional(db)
    .await
}

pub async fn subscribe(db: impl MySqlExecutor<'_>, connection_id: &str, campaign_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT IGNORE INTO ws_subscriptions (connection_id, campaign_id) VALUES (?, ?)")
        .bind(connection_id)
        .bind(campaign_id)
        .execute(db)
        .await?;
    Ok(())
}

/// Live connections following a campaign.
pub async fn for_campaign(db: impl MySqlExecutor<'_>, campaign_id: i64) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT c.connection_id FROM ws_subscriptions s \
         JOIN ws_connections c ON c.connection_id = s.connection_id \
         WHERE s.campaign_id = ? AND c.expires_at > CURRENT_TIMESTAMP(3)",
    )
    .bind(campaign_id)
    .fetch_all(db)
    .await
}

pub async fn subscribe_account(
    db: impl MySqlExecutor<'_>,
    connection_id: &str,
    account_id: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT IGNORE INTO ws_account_subscriptions (connection_id, account_id) VALUES (?, ?)")
        .bind(connection_id)
        .bind(account_id)
        .execute(db)
        .await?;
    Ok(())
}

/// Live connections following a WhatsApp account: those subscribed to it
/// (campaign `None`) and those following one of its campaigns (that
/// campaign), each once.
pub async fn for_account(
    db: impl MySqlExecutor<'_>,
    account_id: i64,
) -> Result<Vec<(String, Option<i64>)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT c.connection_id, MIN(f.campaign_id) FROM ( \
             SELECT connection_id, NULL AS campaign_id FROM ws_account_subscriptions WHERE account_id = ? \
             UNION ALL \
             SELECT s.connection_id, s.campaign_id FROM ws_subscriptions s \
             JOIN campaigns k ON k.id = s.campaign_id WHERE k.whatsapp_account_id = ? \
         ) f JOIN ws_connections c ON c.connection_id = f.connection_id \
         WHERE c.expires_at > CURRENT_TIMESTAMP(3) GROUP BY c.connection_id",
    )
    .bind(account_id)
    .bind(account_id)
    .fetch_all(db)
    .await
}

/// Forget a connection (its subscriptions go by cascade).
pub async fn delete(db: impl MySqlExecutor<'_>, connection_id: &str) -> Result<bool, sqlx::Error> {
    let done =
        sqlx::query("DELETE FROM ws_connections WHERE connection_id = ?").bind(connection_id).execute(db).await?;
    Ok(done.rows_affected() > 0)
}

/// Every connection of a user, live or not.
pub async fn of_user(db: impl MySqlExecutor<'_>, user_id: i64) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT connection_id FROM ws_connections WHERE user_id = ?").bind(user_id).fetch_all(db).await
}

/// Forget these connections (their subscriptions go by cascade).
pub async fn delete_many(db: impl MySqlExecutor<'_>, connection_ids: &[String]) -> Result<u64, sqlx::Error> {
    if connection_ids.is_empty() {
        return Ok(0);
    }
    let marks = vec!["?"; connection_ids.len()].join(", ");
    let sql = format!("DELETE FROM ws_connections WHERE connection_id IN ({marks})");
    let query = connection_ids.iter().fold(sqlx::query(&sql), |query, id| query.bind(id));
    Ok(query.execute(db).await?.rows_affected())
}

pub async fn delete_expired(db: impl MySqlExecutor<'_>) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("DELETE FROM ws_connections WHERE expires_at <= CURRENT_TIMESTAMP(3)").execute(db).await?;
    Ok(done.rows_affected())
}

/// Whether the campaign exists and belongs to the user.
pub async fn campaign_belongs_to(
    db: impl MySqlExecutor<'_>,
    campaign_id: i64,
    user_id: i64,
) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM campaigns WHERE id = ? AND user_id = ?)")
        .bind(campaign_id)
        .bind(user_id)
        .fetch_one(db)
        .await
        .map(|found: i64| found != 0)
}

/// Whether the WhatsApp account exists, belongs to the user and is not removed.
pub async fn account_belongs_to(
    db: impl MySqlExecutor<'_>,
    account_id: i64,
    user_id: i64,
) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM whatsapp_accounts WHERE id = ? AND user_id = ? AND status <> 'REMOVED')",
    )
    .bind(account_id)
    .bind(user_id)
    .fetch_one(db)
    .await
    .map(|found: i64| found != 0)
}
