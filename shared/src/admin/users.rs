//! Listing users, and changing an account's status. Leaving ACTIVE closes
//! the user's open WebSockets, and ends the
//! account's sessions (every refresh token revoked) and pauses its running
//! campaigns, in the same transaction as the status change.

use serde::Deserialize;

use super::{may_manage, Actor};
use crate::{
    domain::{phone, PageQuery, Pagination, Role, UserStatus},
    error::ApiError,
    repo::{
        admin::{self, UserFilter},
        refresh_tokens,
        users::{self, UserRecord},
    },
    validation::{query_enum, Fields},
    AppContext,
};

/// `?page=&limit=&role=&status=&search=`, as sent.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserListQuery {
    #[param(value_type = Option<u32>)]
    pub page: Option<String>,
    #[param(value_type = Option<u32>)]
    pub limit: Option<String>,
    #[param(value_type = Option<crate::domain::Role>)]
    pub role: Option<String>,
    #[param(value_type = Option<crate::domain::UserStatus>)]
    pub status: Option<String>,
    pub search: Option<String>,
}

pub async fn list(ctx: &AppContext, query: UserListQuery) -> Result<(Vec<UserRecord>, Pagination), ApiError> {
    let mut f = Fields::new();
    let page = PageQuery { page: query.page.clone(), limit: query.limit.clone() }.parse(&mut f);
    let role = f.check("role", query_enum::<Role>(query.role.as_deref()));
    let status = f.check("status", query_enum::<UserStatus>(query.status.as_deref()));
    let search = query.search.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let search = f.check(
        "search",
        match search {
            Some(text) if text.chars().count() > 100 => Err("must be at most 100 characters"),
            other => Ok(other),
        },
    );
    let (page, role, status, search) = f.build(|| Some((page?, role?, status?, search?)))?;
    let filter =
        UserFilter { role, status, phone_digits: search.and_then(phone_digits), search: search.map(str::to_owned) };
    let rows = admin::list_users(&ctx.db, &filter, page).await?;
    let total = admin::count_users(&ctx.db, &filter).await?;
    Ok((rows, page.paginate(total)))
}

/// A search typed as a phone number also matches the canonical form: a
/// local `0912…` is stored as `98912…`.
fn phone_digits(search: &str) -> Option<String> {
    let (plus, digits) = phone::ascii_digits(search).ok()?;
    if plus {
        return Some(digits);
    }
    Some(match (digits.strip_prefix("00"), digits.strip_prefix('0')) {
        (Some(rest), _) => rest.to_owned(),
        (None, Some(rest)) => format!("98{rest}"),
        (None, None) => digits,
    })
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusInput {
    pub status: UserStatus,
}

/// What a status change did besides changing the status.
#[derive(Debug, Clone, Copy, Default)]
pub struct StatusEffects {
    pub revoked_sessions: u64,
    pub paused_campaigns: u64,
}

#[tracing::instrument(skip_all, fields(actor.id = actor.id, user.id = target_id, status = %input.status))]
pub async fn change_status(
    ctx: &AppContext,
    actor: Actor,
    target_id: i64,
    input: StatusInput,
) -> Result<(UserRecord, StatusEffects), ApiError> {
    if actor.id == target_id {
        return Err(ApiError::Forbidden {
            code: "CANNOT_CHANGE_OWN_STATUS",
            message: "You cannot change your own status".into(),
        });
    }
    let mut tx = ctx.db.begin().await?;
    let target =
        users::find_access_for_update(&mut *tx, target_id).await?.ok_or_else(|| ApiError::not_found("User"))?;
    if !may_manage(actor, target.role) {
        return Err(super::roles::super_admin_required());
    }
    users::set_status(&mut *tx, target_id, input.status).await?;
    let mut effects = StatusEffects::default();
    let reason = match input.status {
        UserStatus::Active => None,
        UserStatus::Banned => Some("Account banned by an administrator"),
        UserStatus::Inactive => Some("Account deactivated by an administrator"),
    };
    if let Some(reason) = reason {
        effects.revoked_sessions = refresh_tokens::revoke_all_for_user(&mut *tx, target_id).await?;
        effects.paused_campaigns = crate::campaigns::run::pause_all_of_owner(&mut *tx, target_id, reason).await?;
    }
    let user = users::find_by_id(&mut *tx, target_id).await?.ok_or_else(|| ApiError::not_found("User"))?;
    tx.commit().await?;
    if reason.is_some() {
        // After the commit: a socket opened meanwhile is refused by
        // `$connect`, which re-reads the account.
        crate::realtime::close_user_sockets(ctx, target_id).await;
    }
    tracing::info!(revoked = effects.revoked_sessions, paused = effects.paused_campaigns, "account status changed");
    Ok((user, effects))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_phone_searches_match_canonical_numbers() {
        assert_eq!(phone_digits("0912 345").as_deref(), Some("98912345"));
        assert_eq!(phone_digits("۰۹۱۲").as_deref(), Some("98912"));
        assert_eq!(phone_digits("+98912").as_deref(), Some("98912"));
        assert_eq!(phone_digits("0098912").as_deref(), Some("98912"));
        assert_eq!(phone_digits("ali"), None);
    }
}
