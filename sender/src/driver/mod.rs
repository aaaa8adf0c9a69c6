//! The WhatsApp Web driver: Chromium through chromedriver (fantoccini), one
//! browser profile per WhatsApp session.
//!
//! A sender process starts one [`Launcher`] (one chromedriver) and opens a
//! [`WhatsAppSession`] per campaign. The QR string is read from the page and
//! rendered by [`qr`]; profiles move between senders as [`profile`]
//! snapshots. Every DOM hook lives in [`selectors`], as a list of
//! alternatives; when none of a hook's appears, the error names the hook
//! ([`DriverError::HookMissing`]) and [`WhatsAppSession::diagnostics`] gives
//! what a drift report needs. This module knows nothing of campaigns, queues
//! or the database.

mod browser;
mod chromedriver;
mod config;
mod error;
mod inbox;
mod launcher;
mod logout;
mod page;
mod probe;
mod process;
pub mod profile;
mod quota;
mod restriction;
pub mod selectors;
mod send;
mod whatsapp;

pub use config::{DriverConfig, Timeouts};
pub use error::DriverError;
pub use inbox::Incoming;
pub use launcher::Launcher;
pub use page::{LastMessage, Screen};
pub use probe::{HookFinding, ProbeReport};
pub use process::{browsers_memory, sweep_leftovers, MemoryUsage};
pub use quota::{NewChatQuota, QuotaStatus};
pub use restriction::{Limit, Restriction};
pub use send::{SendError, SendOutcome};
/// The QR rendering lives in `shared` (the API renders the stored QR too).
pub use shared::qr;
pub use whatsapp::{ChatOpening, ChatOpens, Diagnostics, LoginState, MessageStatus, PageReading, WhatsAppSession};

use whatsapp::OpenChat;
