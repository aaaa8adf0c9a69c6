//! Reading and changing one's own profile.

use serde::Deserialize;

use crate::{
    domain::PersonName,
    error::ApiError,
    repo::users::{self, ProfileChanges, UserRecord},
    validation::Fields,
    AppContext,
};

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileInput {
    pub name: Option<String>,
    pub age: Option<i32>,
    pub address: Option<String>,
    pub avatar: Option<String>,
}

impl ProfileInput {
    fn parse(self) -> Result<ProfileChanges, ApiError> {
        let mut f = Fields::new();
        let name = match &self.name {
            Some(raw) => f.check("name", PersonName::parse(raw)).map(Some),
            None => Some(None),
        };
        let age = f.check(
            "age",
            match self.age {
                Some(age) if !(1..=150).contains(&age) => Err("must be between 1 and 150"),
                other => Ok(other),
            },
        );
        let address = f.check("address", bounded_text(self.address, 500));
        let avatar = f.check("avatar", bounded_text(self.avatar, 1000));
        f.build(|| Some(ProfileChanges { name: name?, age: age?, address: address?, avatar: avatar? }))
    }
}

fn bounded_text(value: Option<String>, max: usize) -> Result<Option<String>, String> {
    match value.map(|v| v.trim().to_owned()) {
        Some(v) if v.chars().count() > max => Err(format!("must be at most {max} characters")),
        Some(v) if v.chars().any(char::is_control) => Err("must not contain control characters".into()),
        other => Ok(other),
    }
}

pub async fn get_profile(ctx: &AppContext, user_id: i64) -> Result<UserRecord, ApiError> {
    users::find_by_id(&ctx.db, user_id).await?.ok_or_else(|| ApiError::not_found("User"))
}

#[tracing::instrument(skip_all, fields(user.id = user_id))]
pub async fn update_profile(ctx: &AppContext, user_id: i64, input: ProfileInput) -> Result<UserRecord, ApiError> {
    let changes = input.parse()?;
    users::update_profile(&ctx.db, user_id, &changes).await?;
    get_profile(ctx, user_id).await
}
