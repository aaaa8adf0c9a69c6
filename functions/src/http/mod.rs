//! What every area's routes share: extractors, file uploads, the common
//! response layers, and the local gateway's rate limiter.

pub mod extract;
pub mod layers;
pub mod public_url;
pub mod query;
pub mod rate_limit;
pub mod upload;

pub use extract::{AdminUser, CurrentUser, JsonBody, PathId};
pub use layers::finish;
pub use query::QueryParams;
