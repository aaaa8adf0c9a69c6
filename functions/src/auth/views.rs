//! The JSON shapes of a user. The password hash has no field here, so it
//! cannot be serialized by accident.

use chrono::{DateTime, Utc};
use serde::Serialize;
use shared::{
    domain::{Role, UserStatus},
    repo::users::UserRecord,
};

/// `user` in the login answer: `{id, name, email, role}`.
#[derive(Serialize, utoipa::ToSchema)]
pub struct UserSummary<'a> {
    pub id: i64,
    pub name: &'a str,
    pub email: &'a str,
    pub role: Role,
}

impl<'a> From<&'a UserRecord> for UserSummary<'a> {
    fn from(user: &'a UserRecord) -> Self {
        Self { id: user.id, name: &user.name, email: &user.email, role: user.role }
    }
}

/// The whole own profile, with the subscription fields.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Profile<'a> {
    pub id: i64,
    pub name: &'a str,
    pub username: Option<&'a str>,
    pub email: &'a str,
    pub phone: &'a str,
    pub role: Role,
    pub status: UserStatus,
    pub age: Option<i32>,
    pub address: Option<&'a str>,
    pub avatar: Option<&'a str>,
    pub subscription_active: bool,
    pub subscription_expires_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl<'a> From<&'a UserRecord> for Profile<'a> {
    fn from(user: &'a UserRecord) -> Self {
        let active = shared::commerce::subscription::is_active(user.subscription_active, user.subscription_expires_at);
        Self {
            id: user.id,
            name: &user.name,
            username: user.username.as_deref(),
            email: &user.email,
            phone: &user.phone,
            role: user.role,
            status: user.status,
            age: user.age,
            address: user.address.as_deref(),
            avatar: user.avatar.as_deref(),
            subscription_active: active,
            subscription_expires_at: user.subscription_expires_at,
            created_at: user.created_at,
            updated_at: user.updated_at,
        }
    }
}
