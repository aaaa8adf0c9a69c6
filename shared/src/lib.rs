//! The library every binary uses: configuration, the database pool, domain
//! types, repositories (all SQL lives under `repo`), auth, notifications,
//! commerce (packages, payments, subscriptions, quota), administration,
//! campaign operations with their spreadsheets (`excel`) and file-type
//! checks (`media`), the sender fleet's commands (`queue`), live events
//! (`realtime`), message templates (`message`), the opt-out list
//! (`suppressions`), linking the users' WhatsApp numbers (`whatsapp`), and
//! the error type that becomes SPEC's JSON envelope.
//!
//! Nothing here knows about routes: `functions` and `sender` call in.

pub mod accounts;
pub mod admin;
pub mod auth;
pub mod aws;
pub mod backoff;
pub mod campaigns;
pub mod commerce;
pub mod config;
pub mod context;
pub mod db;
pub mod domain;
pub mod error;
pub mod excel;
pub mod governor;
pub mod media;
pub mod message;
pub mod metrics;
pub mod notify;
pub mod payment_gateway;
pub mod qr;
pub mod queue;
pub mod realtime;
pub mod repo;
pub mod storage;
pub mod suppressions;
pub mod telemetry;
pub mod validation;
pub mod whatsapp;

pub use context::AppContext;
pub use error::ApiError;
