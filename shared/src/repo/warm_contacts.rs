//! The `warm_contacts` table: people who wrote to a number (a reply we
//! recorded, a chat the page showed with their messages). Recipients are
//! warm or cold for the number their campaign sends from by this table
//! alone, so the claim order, the cold budget and what the API shows agree.

use sqlx::MySqlExecutor;

use crate::domain::CampaignStatus;

/// `phone` wrote to the account's number; whether that is news.
pub async fn record(db: impl MySqlExecutor<'_>, account_id: i64, phone: &str) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("INSERT IGNORE INTO warm_contacts (account_id, phone) VALUES (?, ?)")
        .bind(account_id)
        .bind(phone)
        .execute(db)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Whether `phone` ever wrote to the account's number.
pub async fn is_warm(db: impl MySqlExecutor<'_>, account_id: i64, phone: &str) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM warm_contacts WHERE account_id = ? AND phone = ?)")
        .bind(account_id)
        .bind(phone)
        .fetch_one(db)
        .await
}

/// Someone who just became warm is pending in a campaign of the number
/// that waits only because its next recipients are cold: the wait ends,
/// so the warm one goes now. The number of campaigns woken.
pub async fn wake_campaigns_of(db: impl MySqlExecutor<'_>, account_id: i64, phone: &str) -> Result<u64, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE campaigns c SET c.waiting_until = NULL, c.wait_reason = NULL \
         WHERE c.whatsapp_account_id = ? AND c.status IN (?, ?) \
           AND c.wait_reason IN ('COLD_CONTACT_LIMIT', 'WHATSAPP_TIMELOCK', 'WHATSAPP_QUOTA') \
           AND EXISTS (SELECT 1 FROM recipients r WHERE r.campaign_id = c.id AND r.phone = ? AND r.status = 'PENDING')",
    )
    .bind(account_id)
    .bind(CampaignStatus::RUNNING[0].as_str())
    .bind(CampaignStatus::RUNNING[1].as_str())
    .bind(phone)
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}

/// A recipient the timelock held back wrote since: their chat is open
/// again, so they no longer wait for it to lift.
pub async fn release_deferred(db: impl MySqlExecutor<'_>, account_id: i64, phone: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE recipients r JOIN campaigns c ON c.id = r.campaign_id SET r.deferred_until = NULL \
         WHERE c.whatsapp_account_id = ? AND r.phone = ? AND r.status = 'PENDING' AND r.deferred_until IS NOT NULL",
    )
    .bind(account_id)
    .bind(phone)
    .execute(db)
    .await?;
    Ok(())
}
