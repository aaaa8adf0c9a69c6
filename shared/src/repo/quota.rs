//! `quota_reservations` and `users.messages_used`: messages set aside by
//! campaigns and messages sent. Callers take the user's row lock
//! (`subscriptions::lock_user`) before any of these.

use sqlx::MySqlExecutor;

/// Who owns a campaign, if it exists.
pub async fn campaign_owner(db: impl MySqlExecutor<'_>, campaign_id: i64) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT user_id FROM campaigns WHERE id = ?").bind(campaign_id).fetch_optional(db).await
}

/// Messages the user's campaigns hold, leaving one campaign out if given.
pub async fn reserved(
    db: impl MySqlExecutor<'_>,
    user_id: i64,
    except_campaign: Option<i64>,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(reserved), 0) AS SIGNED) FROM quota_reservations \
         WHERE user_id = ? AND (? IS NULL OR campaign_id <> ?)",
    )
    .bind(user_id)
    .bind(except_campaign)
    .bind(except_campaign)
    .fetch_one(db)
    .await
}

/// Set the campaign's reservation to `count` messages.
pub async fn set_reservation(
    db: impl MySqlExecutor<'_>,
    campaign_id: i64,
    user_id: i64,
    count: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO quota_reservations (campaign_id, user_id, reserved) VALUES (?, ?, ?) \
         ON DUPLICATE KEY UPDATE reserved = VALUES(reserved)",
    )
    .bind(campaign_id)
    .bind(user_id)
    .bind(count)
    .execute(db)
    .await?;
    Ok(())
}

/// The user whose quota a campaign's reservation draws on.
pub async fn reservation_owner(db: impl MySqlExecutor<'_>, campaign_id: i64) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT user_id FROM quota_reservations WHERE campaign_id = ?")
        .bind(campaign_id)
        .fetch_optional(db)
        .await
}

/// Take one message out of the reservation; false when none is left.
pub async fn take_one(db: impl MySqlExecutor<'_>, campaign_id: i64) -> Result<bool, sqlx::Error> {
    let done =
        sqlx::query("UPDATE quota_reservations SET reserved = reserved - 1 WHERE campaign_id = ? AND reserved > 0")
            .bind(campaign_id)
            .execute(db)
            .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn add_used(db: impl MySqlExecutor<'_>, user_id: i64, messages: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET messages_used = messages_used + ? WHERE id = ?")
        .bind(messages)
        .bind(user_id)
        .execute(db)
        .await?;
    Ok(())
}

/// The campaign's reservation (owner, messages held), locked.
pub async fn find_for_update(db: impl MySqlExecutor<'_>, campaign_id: i64) -> Result<Option<(i64, i64)>, sqlx::Error> {
    sqlx::query_as("SELECT user_id, reserved FROM quota_reservations WHERE campaign_id = ? FOR UPDATE")
        .bind(campaign_id)
        .fetch_optional(db)
        .await
}

pub async fn delete_reservation(db: impl MySqlExecutor<'_>, campaign_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM quota_reservations WHERE campaign_id = ?").bind(campaign_id).execute(db).await?;
    Ok(())
}
