//! What the sender records around a message besides its sending: blue
//! ticks, and replies.

use sqlx::MySqlExecutor;

/// The message shows blue ticks: `readAt`, once (the recipient is
/// DELIVERED already; see `deliveries::record_delivered`).
pub async fn record_read(db: impl MySqlExecutor<'_>, recipient_id: i64) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE recipients SET read_at = CURRENT_TIMESTAMP(3) WHERE id = ? AND read_at IS NULL AND status = 'DELIVERED'",
    )
    .bind(recipient_id)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The campaign's owner and whether `phone` is one of its messaged
/// recipients (a reply from anyone else is not the campaign's).
pub async fn messaged_recipient(
    db: impl MySqlExecutor<'_>,
    campaign_id: i64,
    phone: &str,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT id FROM recipients WHERE campaign_id = ? AND phone = ? \
         AND status IN ('SENT', 'DELIVERED', 'UNKNOWN', 'SENDING')",
    )
    .bind(campaign_id)
    .bind(phone)
    .fetch_optional(db)
    .await
}

/// A reply: its time and text (the latest one), and whether it opted out
/// (once opted out, a recipient stays so).
pub async fn record_reply(
    db: impl MySqlExecutor<'_>,
    recipient_id: i64,
    text: &str,
    opted_out: bool,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE recipients SET replied_at = CURRENT_TIMESTAMP(3), reply_text = ?, opted_out = opted_out OR ? \
         WHERE id = ?",
    )
    .bind(text)
    .bind(opted_out)
    .bind(recipient_id)
    .execute(db)
    .await?;
    Ok(())
}

/// Put `phone` on `user_id`'s suppression list (kept if already there).
pub async fn suppress(db: impl MySqlExecutor<'_>, user_id: i64, phone: &str, reason: &str) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO suppressions (user_id, phone, reason) VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE id = id")
        .bind(user_id)
        .bind(phone)
        .bind(reason)
        .execute(db)
        .await?;
    Ok(())
}
