//! Operating a sender: its metrics (CloudWatch EMF lines and the registry
//! behind `/metrics`, through [`shared::metrics`]), the local health server
//! ([`server`]: `/metrics`, `/healthz`, `/readyz`) and the memory watch
//! ([`memory`]) that recycles sessions before the browsers outgrow the host.
//!
//! Sessions and the fleet only call the one-line recorders here; nothing in
//! this module changes what a session does, except the memory watch, which
//! asks the fleet to recycle.

pub mod memory;
pub mod server;

use shared::{metrics, queue::Command};

use crate::driver::{SendError, SendOutcome};

/// One send's outcome, as `Sends` by `Outcome`: sent, not_on_whatsapp,
/// unknown (may have left; never retried) or failed.
pub fn record_send(result: &Result<SendOutcome, SendError>) {
    let outcome = match result {
        Ok(SendOutcome::Sent { .. }) => "sent",
        Ok(SendOutcome::NotOnWhatsApp(_)) => "not_on_whatsapp",
        Ok(SendOutcome::NewChatsRestricted { .. }) => "timelocked",
        Err(err) if err.may_have_been_sent() => "unknown",
        Err(_) => "failed",
    };
    metrics::count("Sends", 1, &[("Outcome", outcome)]);
}

/// How long a command waited between its sender (the API, the scheduler or
/// another sender) and this sender picking it up.
pub fn record_pickup(command: &Command) {
    let waited = (chrono::Utc::now() - command.sent_at).to_std().unwrap_or_default();
    metrics::duration("CommandPickup", waited, &[]);
}

/// A campaign began waiting on its number's governor (hourly or daily cap,
/// warm-up, sending hours), as `GovernorWaits` by `Reason`.
pub fn record_governor_wait(reason: &str) {
    metrics::count("GovernorWaits", 1, &[("Reason", reason)]);
}
