//! Commands for the sender fleet over SQS.
//!
//! The database is the source of truth for a campaign (status, interval,
//! recipients); a command is a nudge that makes the owning sender look now
//! instead of at its next poll. A session belongs to a WhatsApp account and
//! serves all its campaigns. Commands for an account whose session has a
//! live owner go to that sender's own inbox queue; all others go to the
//! shared sessions queue, which any sender with room pulls from — so the
//! fleet scales on that queue's depth.

mod client;
mod commands;
mod dispatch;
mod recreate;

pub use client::{Queues, Received};
pub use commands::{Command, CommandKind, COMMAND_VERSION};
pub use dispatch::{dispatch, dispatch_account, send_to};
pub use recreate::{queue_name, QueueMissing};
