//! Live campaign progress for WebSocket clients: the event types (SPEC's
//! six and those added since: `qr_code`, `pairing_code`, `reply_update`,
//! `number_update`; docs/api.md lists them), the connections that follow
//! each campaign or number, and pushing through the API Gateway management API.

mod connections;
mod events;
mod push;

pub use connections::{connect, disconnect, subscribe, subscribe_account, CONNECTION_LIFETIME};
pub use events::{CampaignEvent, CompletionReport, Progress, QrCodePayload};
pub use push::{CloseReport, PushReport, Pusher};

/// Close every open WebSocket of a user and forget its connections: a ban
/// or a logout ends the live view too. Never fails the caller (see
/// [`Pusher::close_user`]).
pub async fn close_user_sockets(ctx: &crate::AppContext, user_id: i64) -> CloseReport {
    ctx.pusher.close_user(user_id).await
}
