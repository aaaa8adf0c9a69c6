//! All SQL: one module per aggregate, one named function per query.
//!
//! Functions take any executor (`&MySqlPool` or `&mut *transaction`), so the
//! caller that owns a unit of work composes several of them in one
//! transaction and commits it.

pub mod attachments;
pub mod campaigns;
pub mod otps;
pub mod recipients;
pub mod refresh_tokens;
pub mod users;
