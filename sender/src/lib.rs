//! The sender service: drives WhatsApp Web in headless Chromium for the
//! campaigns it owns. For now its library is the driver; the fleet (queues,
//! leases, the send loop) builds on it.

pub mod driver;
