//! Domain types: each is parsed once at the edge and cannot exist invalid.

mod string_enum;

pub mod email;
pub mod otp;
pub mod password;
pub mod person_name;
pub mod phone;
pub mod user;

pub use email::Email;
pub use otp::{OtpChannel, OtpPurpose};
pub use password::Password;
pub use person_name::PersonName;
pub use phone::Phone;
pub use user::{Role, UserStatus};
