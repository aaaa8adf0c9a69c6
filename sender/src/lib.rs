//! The sender service: drives WhatsApp Web in headless Chromium for the
//! campaigns it owns — the driver, the session actors that send, and the
//! fleet plumbing (queues, leases, takeover, drain).

pub mod context;
pub mod driver;
pub mod fleet;
pub mod ops;
pub mod probe;
pub mod session;
pub mod settings;
