//! Credentials: password hashing, JWT access tokens, opaque refresh tokens
//! and one-time codes. Pure functions and keys; persistence is in `repo`.

pub mod jwt;
pub mod otp_code;
pub mod password;
pub mod refresh_token;

pub use jwt::{AccessClaims, JwtKeys};
