//! Selling message packages: the catalogue, orders, payments through a
//! gateway, the subscription a paid order grants, and the message quota the
//! sending side draws on.
//!
//! Each operation owns its unit of work and returns domain values; shaping
//! JSON is the handlers' job. Granting a package has exactly one
//! implementation (`subscription::grant`), used by payments and by the
//! operations CLI alike.

pub mod orders;
pub mod packages;
pub mod payments;
pub mod quota;
pub mod settlement;
pub mod subscription;
