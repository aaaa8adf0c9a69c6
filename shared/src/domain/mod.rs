//! Domain types: each is parsed once at the edge and cannot exist invalid.

mod string_enum;

pub mod campaign;
pub mod campaign_text;
pub mod email;
pub mod otp;
pub mod pagination;
pub mod password;
pub mod person_name;
pub mod phone;
pub mod timezone;
pub mod user;

pub use campaign::{
    CampaignStatus, Interval, RecipientSortBy, RecipientStatus, SendType, SortOrder, StoredRecipientStatus,
};
pub use campaign_text::{CampaignMessage, CampaignTitle};
pub use email::Email;
pub use otp::{OtpChannel, OtpPurpose};
pub use password::Password;
pub use person_name::PersonName;
pub use pagination::{PageRequest, Pagination};
pub use phone::Phone;
pub use timezone::Timezone;
pub use user::{Role, UserStatus};
