//! The `users` table.

use chrono::{DateTime, Utc};
use sqlx::MySqlExecutor;

use crate::domain::{Email, PersonName, Phone, Role, UserStatus};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRecord {
    pub id: i64,
    pub name: String,
    pub username: Option<String>,
    pub email: String,
    pub phone: String,
    pub password_hash: String,
    #[sqlx(try_from = "String")]
    pub role: Role,
    #[sqlx(try_from = "String")]
    pub status: UserStatus,
    pub age: Option<i32>,
    pub address: Option<String>,
    pub avatar: Option<String>,
    pub subscription_active: bool,
    pub subscription_expires_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Just what authorizing a request needs.
#[derive(Debug, Clone, Copy, sqlx::FromRow)]
pub struct UserAccess {
    pub id: i64,
    #[sqlx(try_from = "String")]
    pub role: Role,
    #[sqlx(try_from = "String")]
    pub status: UserStatus,
}

pub struct NewUser<'a> {
    pub name: &'a PersonName,
    pub email: &'a Email,
    pub phone: &'a Phone,
    pub password_hash: &'a str,
}

pub(crate) const COLUMNS: &str =
    "id, name, username, email, phone, password_hash, role, status, age, address, avatar, \
     subscription_active, subscription_expires_at, created_at, updated_at";

pub async fn insert(db: impl MySqlExecutor<'_>, user: NewUser<'_>) -> Result<i64, sqlx::Error> {
    let result = sqlx::query("INSERT INTO users (name, email, phone, password_hash) VALUES (?, ?, ?, ?)")
        .bind(user.name.as_str())
        .bind(user.email.as_str())
        .bind(user.phone.as_str())
        .bind(user.password_hash)
        .execute(db)
        .await?;
    Ok(result.last_insert_id() as i64)
}

pub async fn find_by_id(db: impl MySqlExecutor<'_>, id: i64) -> Result<Option<UserRecord>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM users WHERE id = ?")).bind(id).fetch_optional(db).await
}

pub async fn find_by_email(db: impl MySqlExecutor<'_>, email: &Email) -> Result<Option<UserRecord>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM users WHERE email = ?"))
        .bind(email.as_str())
        .fetch_optional(db)
        .await
}

pub async fn find_access(db: impl MySqlExecutor<'_>, id: i64) -> Result<Option<UserAccess>, sqlx::Error> {
    sqlx::query_as("SELECT id, role, status FROM users WHERE id = ?").bind(id).fetch_optional(db).await
}

/// Whether an e-mail or phone already belongs to an account.
pub async fn contact_taken(db: impl MySqlExecutor<'_>, contact: &str) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM users WHERE email = ? OR phone = ?)")
        .bind(contact)
        .bind(contact)
        .fetch_one(db)
        .await
        .map(|found: i64| found != 0)
}

/// Fields a user may change on their own profile; `None` keeps the value.
#[derive(Debug, Default)]
pub struct ProfileChanges {
    pub name: Option<PersonName>,
    pub age: Option<i32>,
    pub address: Option<String>,
    pub avatar: Option<String>,
}

pub async fn update_profile(db: impl MySqlExecutor<'_>, id: i64, changes: &ProfileChanges) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE users SET name = COALESCE(?, name), age = COALESCE(?, age), \
         address = COALESCE(?, address), avatar = COALESCE(?, avatar) WHERE id = ?",
    )
    .bind(changes.name.as_ref().map(PersonName::as_str))
    .bind(changes.age)
    .bind(changes.address.as_deref())
    .bind(changes.avatar.as_deref())
    .bind(id)
    .execute(db)
    .await?;
    Ok(())
}

/// The account's role and status, locked until the transaction ends.
pub async fn find_access_for_update(db: impl MySqlExecutor<'_>, id: i64) -> Result<Option<UserAccess>, sqlx::Error> {
    sqlx::query_as("SELECT id, role, status FROM users WHERE id = ? FOR UPDATE").bind(id).fetch_optional(db).await
}

pub async fn set_role(db: impl MySqlExecutor<'_>, id: i64, role: Role) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET role = ? WHERE id = ?").bind(role.as_str()).bind(id).execute(db).await?;
    Ok(())
}

pub async fn set_status(db: impl MySqlExecutor<'_>, id: i64, status: UserStatus) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET status = ? WHERE id = ?").bind(status.as_str()).bind(id).execute(db).await?;
    Ok(())
}

/// The user's phone, if a one-time code proved it (sign-up with OTP).
pub async fn verified_phone(db: impl MySqlExecutor<'_>, id: i64) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT phone FROM users WHERE id = ? AND phone_verified_at IS NOT NULL")
        .bind(id)
        .fetch_optional(db)
        .await
}

pub async fn mark_phone_verified(db: impl MySqlExecutor<'_>, id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET phone_verified_at = CURRENT_TIMESTAMP(3) WHERE id = ?").bind(id).execute(db).await?;
    Ok(())
}

/// Locks the user's row: one user's link requests take turns, so two at
/// once cannot both pass the limit on numbers being linked.
pub async fn lock(db: impl MySqlExecutor<'_>, id: i64) -> Result<bool, sqlx::Error> {
    let found: Option<i64> =
        sqlx::query_scalar("SELECT id FROM users WHERE id = ? FOR UPDATE").bind(id).fetch_optional(db).await?;
    Ok(found.is_some())
}
