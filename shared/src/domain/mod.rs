//! Domain types: each is parsed once at the edge and cannot exist invalid.

mod string_enum;

pub mod campaign;
pub mod campaign_text;
pub mod commerce;
pub mod email;
pub mod money;
pub mod otp;
pub mod package;
pub mod pagination;
pub mod password;
pub mod person_name;
pub mod phone;
pub mod public_url;
pub mod text;
pub mod timezone;
pub mod user;

pub use campaign::{
    CampaignStatus, Interval, RecipientSortBy, RecipientStatus, SendType, SortOrder, StoredRecipientStatus,
};
pub use campaign_text::{CampaignMessage, CampaignTitle};
pub use commerce::{GatewayKind, OrderStatus, PackageStatus, TransactionStatus};
pub use email::Email;
pub use money::Price;
pub use otp::{OtpChannel, OtpPurpose, StoredOtpPurpose};
pub use package::PackageFields;
pub use pagination::{PageQuery, PageRequest, Pagination};
pub use password::Password;
pub use person_name::PersonName;
pub use phone::Phone;
pub use public_url::PublicBaseUrl;
pub use timezone::Timezone;
pub use user::{Role, UserStatus};
