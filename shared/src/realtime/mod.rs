//! Live campaign progress for WebSocket clients: the event types (SPEC's
//! six and those added since: `qr_code`, `pairing_code`, `reply_update`,
//! `number_update`; docs/api.md lists them), the connections that follow
//! each campaign or number, and pushing through the API Gateway management API.

mod connections;
mod events;
mod push;

pub use connections::{connect, disconnect, subscribe, subscribe_account, CONNECTION_LIFETIME};
pub use events::{CampaignEvent, CompletionReport, Progress, QrCodePayload};
pub use push::{PushReport, Pusher};
