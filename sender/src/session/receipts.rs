//! Blue ticks: the last message's chat stays open through the pause, and
//! its ticks are watched past "delivered" to "read" (no extra page loads;
//! one probe per look, only for the message just sent). READ is recorded
//! as `readAt` on a DELIVERED recipient: SPEC's statuses keep their meaning.

use shared::repo::engagement;

use crate::{context::SenderContext, driver::MessageStatus};

/// Record a read message; whether the watch is over (it is once read).
pub async fn follow(ctx: &SenderContext, recipient_id: i64, status: MessageStatus) -> anyhow::Result<bool> {
    if status < MessageStatus::Read {
        return Ok(false);
    }
    if engagement::record_read(&ctx.db, recipient_id).await? {
        tracing::debug!(recipient.id = recipient_id, "message read");
    }
    Ok(true)
}
