//! What every area's routes share: extractors, the common response layers,
//! and the local gateway's rate limiter.

pub mod extract;
pub mod layers;
pub mod query;
pub mod rate_limit;
pub mod upload;

pub use extract::{CurrentUser, JsonBody};
pub use layers::finish;
pub use query::QueryParams;
