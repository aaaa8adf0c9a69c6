//! A RUNNING campaign that may not send now: until when, and why
//! (`campaigns.waiting_until`, `campaigns.wait_reason`).

use chrono::{DateTime, SubsecRound, Utc};
use sqlx::MySqlExecutor;

/// Records the wait; `true` when it is new or changed (worth telling the user).
pub async fn set(
    db: impl MySqlExecutor<'_>,
    campaign_id: i64,
    until: DateTime<Utc>,
    reason: &str,
) -> Result<bool, sqlx::Error> {
    // Compared to the millisecond, as stored.
    let until = until.trunc_subsecs(3);
    let done = sqlx::query(
        "UPDATE campaigns SET waiting_until = ?, wait_reason = ? WHERE id = ? \
         AND NOT (waiting_until <=> ? AND wait_reason <=> ?)",
    )
    .bind(until)
    .bind(reason)
    .bind(campaign_id)
    .bind(until)
    .bind(reason)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn clear(db: impl MySqlExecutor<'_>, campaign_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE campaigns SET waiting_until = NULL, wait_reason = NULL WHERE id = ? AND waiting_until IS NOT NULL",
    )
    .bind(campaign_id)
    .execute(db)
    .await?;
    Ok(())
}
