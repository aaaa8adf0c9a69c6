//! Changing roles. Only a SUPER_ADMIN grants or takes ADMIN/SUPER_ADMIN,
//! and nobody changes their own role. The operations CLI (`make-admin`)
//! uses the same write without an actor: whoever runs it is the operator.

use serde::Deserialize;
use sqlx::MySqlPool;

use super::{may_manage, Actor};
use crate::{
    domain::{Email, Role},
    error::ApiError,
    repo::users::{self, UserRecord},
    AppContext,
};

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleInput {
    pub role: Role,
}

pub(crate) fn super_admin_required() -> ApiError {
    ApiError::Forbidden {
        code: "SUPER_ADMIN_REQUIRED",
        message: "Only a super administrator may manage administrator accounts".into(),
    }
}

#[tracing::instrument(skip_all, fields(actor.id = actor.id, user.id = target_id, role = %input.role))]
pub async fn change_role(
    ctx: &AppContext,
    actor: Actor,
    target_id: i64,
    input: RoleInput,
) -> Result<UserRecord, ApiError> {
    if actor.id == target_id {
        return Err(ApiError::Forbidden {
            code: "CANNOT_CHANGE_OWN_ROLE",
            message: "You cannot change your own role".into(),
        });
    }
    let mut tx = ctx.db.begin().await?;
    let target =
        users::find_access_for_update(&mut *tx, target_id).await?.ok_or_else(|| ApiError::not_found("User"))?;
    if !may_manage(actor, target.role) || !may_manage(actor, input.role) {
        return Err(super_admin_required());
    }
    users::set_role(&mut *tx, target_id, input.role).await?;
    let user = users::find_by_id(&mut *tx, target_id).await?.ok_or_else(|| ApiError::not_found("User"))?;
    tx.commit().await?;
    tracing::info!("role changed");
    Ok(user)
}

/// `ops make-admin`: give the account with this e-mail an administrator role.
#[tracing::instrument(skip(db, email))]
pub async fn make_admin(db: &MySqlPool, email: &Email, role: Role) -> Result<UserRecord, ApiError> {
    if !role.is_admin() {
        return Err(ApiError::field("role", "must be ADMIN or SUPER_ADMIN"));
    }
    let user = users::find_by_email(db, email).await?.ok_or_else(|| ApiError::not_found("User"))?;
    users::set_role(db, user.id, role).await?;
    tracing::info!(user.id = user.id, "role set by an operator");
    users::find_by_id(db, user.id).await?.ok_or_else(|| ApiError::not_found("User"))
}
