//! What the sender records around a message besides its sending: the
//! recipient's personal fields for rendering, the numbers on the owner's
//! suppression list dropped before a claim, blue ticks, and replies.

use sqlx::MySqlExecutor;

use crate::domain::StoredRecipientStatus;

/// What a recipient's text is rendered from besides the campaign message.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PersonalFields {
    pub variables: Option<String>,
    pub opt_out_footer: bool,
}

pub async fn personal_fields(
    db: impl MySqlExecutor<'_>,
    recipient_id: i64,
) -> Result<Option<PersonalFields>, sqlx::Error> {
    sqlx::query_as(
        "SELECT r.variables, c.opt_out_footer FROM recipients r JOIN campaigns c ON c.id = r.campaign_id WHERE r.id = ?",
    )
    .bind(recipient_id)
    .fetch_optional(db)
    .await
}

/// PENDING recipients whose number is now on the owner's suppression list
/// become FAILED ("opted out") and are never claimed. Returns how many.
pub async fn drop_opted_out(
    db: &mut sqlx::MySqlConnection,
    campaign_id: i64,
    reason: &str,
) -> Result<u64, sqlx::Error> {
    let dropped = sqlx::query(
        "UPDATE recipients r JOIN campaigns c ON c.id = r.campaign_id \
         JOIN suppressions s ON s.user_id = c.user_id AND s.phone = r.phone \
         SET r.status = ?, r.error = ? \
         WHERE r.campaign_id = ? AND r.status = 'PENDING'",
    )
    .bind(StoredRecipientStatus::Failed.as_str())
    .bind(reason)
    .bind(campaign_id)
    .execute(&mut *db)
    .await?
    .rows_affected();
    if dropped > 0 {
        sqlx::query("UPDATE campaigns SET failed_count = failed_count + ? WHERE id = ?")
            .bind(dropped)
            .bind(campaign_id)
            .execute(&mut *db)
            .await?;
    }
    Ok(dropped)
}

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
