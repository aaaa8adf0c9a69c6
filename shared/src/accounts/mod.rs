//! Account operations behind the auth and user endpoints: one-time codes,
//! sign-up, login, token rotation, logout and the own profile.
//!
//! Each operation owns its unit of work (one transaction) and returns domain
//! values; shaping JSON is the handlers' job.

mod attempts;
mod login;
mod otp;
mod profile;
mod registration;
mod tokens;

pub use login::{login, LoginInput};
pub(crate) use otp::otp_error;
pub use otp::{request_otp, request_pairing_otp, verify_otp, OtpInput, OtpRequested};
pub use profile::{get_profile, update_profile, ProfileInput};
pub use registration::{register, RegisterInput};
pub use tokens::{logout, refresh, TokenPair};

use crate::error::ApiError;

fn account_conflict(err: sqlx::Error) -> ApiError {
    match crate::db::unique_violation(&err).as_deref() {
        Some("uq_users_email") => {
            ApiError::Conflict { code: "EMAIL_TAKEN", message: "This e-mail is already registered".into() }
        }
        Some("uq_users_phone") => {
            ApiError::Conflict { code: "PHONE_TAKEN", message: "This phone number is already registered".into() }
        }
        Some("uq_users_username") => {
            ApiError::Conflict { code: "USERNAME_TAKEN", message: "This username is taken".into() }
        }
        _ => err.into(),
    }
}
