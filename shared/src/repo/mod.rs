//! All SQL: one module per aggregate, one named function per query.
//!
//! Functions take any executor (`&MySqlPool` or `&mut *transaction`), so the
//! caller that owns a unit of work composes several of them in one
//! transaction and commits it.

pub mod deliveries;
pub mod otps;
pub mod refresh_tokens;
pub mod session_leases;
pub mod users;
pub mod ws_connections;
