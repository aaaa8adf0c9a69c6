//! Queries about the system's health, for metrics and alarms (read-only).

use sqlx::MySqlExecutor;

use crate::domain::CampaignStatus;

/// RUNNING campaigns that started over `minutes` ago and sent nothing in
/// the last `minutes`: stuck (a session that cannot send, a lease nobody
/// takes), or held by the send governor for longer than that.
pub async fn stalled_running_campaigns(db: impl MySqlExecutor<'_>, minutes: u32) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM campaigns c
         WHERE c.status IN (?, ?)
           AND COALESCE(c.started_at, c.updated_at) < CURRENT_TIMESTAMP(3) - INTERVAL ? MINUTE
           AND NOT EXISTS (
             SELECT 1 FROM recipients r
             WHERE r.campaign_id = c.id AND r.sent_at >= CURRENT_TIMESTAMP(3) - INTERVAL ? MINUTE)",
    )
    .bind(CampaignStatus::RUNNING[0].as_str())
    .bind(CampaignStatus::RUNNING[1].as_str())
    .bind(minutes)
    .bind(minutes)
    .fetch_one(db)
    .await
}
