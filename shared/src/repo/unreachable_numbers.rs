//! The `unreachable_numbers` table: numbers an owner's campaigns found not
//! on WhatsApp, so later campaigns do not open their chats again for a while
//! (repeated checks of numbers without WhatsApp are a spam signal).

use sqlx::MySqlExecutor;

pub async fn remember(db: impl MySqlExecutor<'_>, user_id: i64, phone: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO unreachable_numbers (user_id, phone) VALUES (?, ?) \
         ON DUPLICATE KEY UPDATE seen_at = CURRENT_TIMESTAMP(3)",
    )
    .bind(user_id)
    .bind(phone)
    .execute(db)
    .await?;
    Ok(())
}
