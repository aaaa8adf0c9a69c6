//! The sender service.
