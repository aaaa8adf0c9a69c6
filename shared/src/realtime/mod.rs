//! Live campaign progress for WebSocket clients: the six event types of
//! SPEC "Real-time events", the connections that follow each campaign, and
//! pushing through the API Gateway management API.

mod connections;
mod events;
mod push;

pub use connections::{connect, disconnect, subscribe, subscribe_account, CONNECTION_LIFETIME};
pub use events::{CampaignEvent, CompletionReport, Progress, QrCodePayload};
pub use push::{PushReport, Pusher};
