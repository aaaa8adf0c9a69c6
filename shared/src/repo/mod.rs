//! All SQL: one module per aggregate, one named function per query.
//!
//! Functions take any executor (`&MySqlPool` or `&mut *transaction`), so the
//! caller that owns a unit of work composes several of them in one
//! transaction and commits it.

pub mod admin;
pub mod attachments;
pub mod attempts;
pub mod campaigns;
pub mod db_users;
pub mod deliveries;
pub mod engagement;
pub mod health;
pub mod linking_requests;
pub mod orders;
pub mod otps;
pub mod packages;
pub mod pairing;
pub mod quota;
pub mod recipients;
pub mod refresh_tokens;
pub mod session_leases;
pub mod subscriptions;
pub mod suppressions;
pub mod templates;
pub mod transactions;
pub mod unreachable_numbers;
pub mod users;
pub mod warm_contacts;
pub mod whatsapp_accounts;
pub mod ws_connections;
