//! The library every binary uses: configuration, the database pool, domain
//! types, repositories (all SQL lives under `repo`), auth, notifications,
//! campaign operations with their spreadsheets (`excel`) and file-type
//! checks (`media`), and the error type that becomes SPEC's JSON envelope.
//!
//! Nothing here knows about routes: `functions` and `sender` call in.

pub mod accounts;
pub mod auth;
pub mod aws;
pub mod campaigns;
pub mod config;
pub mod context;
pub mod db;
pub mod domain;
pub mod excel;
pub mod error;
pub mod media;
pub mod notify;
pub mod repo;
pub mod storage;
pub mod telemetry;
pub mod validation;

pub use context::AppContext;
pub use error::ApiError;
