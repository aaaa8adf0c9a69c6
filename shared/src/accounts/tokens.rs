//! Refresh-token rotation with reuse detection, and logout.
//!
//! Every refresh revokes the presented token and issues a new one in the same
//! family. Presenting a token that was already rotated (or logged out) means
//! it was copied: the whole family is revoked, so the thief's and the
//! victim's newer tokens both die and the user must log in again.

use chrono::Utc;

use super::login::ensure_may_sign_in;
use crate::{
    auth::refresh_token,
    error::ApiError,
    repo::{refresh_tokens, users},
    AppContext,
};

pub struct TokenPair {
    pub access_token: String,
    pub refresh_token: String,
}

fn invalid_refresh() -> ApiError {
    ApiError::Unauthorized { code: "INVALID_REFRESH_TOKEN", message: "Invalid or expired refresh token".into() }
}

/// A new token family for a fresh login.
pub(crate) async fn start_session(ctx: &AppContext, user: &users::UserRecord) -> Result<TokenPair, ApiError> {
    let family = refresh_token::new_family_id();
    let fresh = refresh_token::generate();
    let expires_at = Utc::now() + ctx.settings.refresh_token_ttl;
    refresh_tokens::insert(&ctx.db, user.id, &fresh.hash, &family, expires_at).await?;
    Ok(TokenPair {
        access_token: ctx.jwt.issue(user.id, user.role).map_err(ApiError::internal)?,
        refresh_token: fresh.token,
    })
}

#[tracing::instrument(skip_all)]
pub async fn refresh(ctx: &AppContext, presented: &str) -> Result<TokenPair, ApiError> {
    let mut tx = ctx.db.begin().await?;
    let Some(record) = refresh_tokens::find_for_update(&mut *tx, &refresh_token::hash(presented)).await? else {
        return Err(invalid_refresh());
    };
    if record.is_revoked {
        let revoked = refresh_tokens::revoke_family(&mut *tx, &record.family_id).await?;
        tx.commit().await?;
        tracing::warn!(user.id = record.user_id, revoked, "rotated refresh token reused; family revoked");
        return Err(invalid_refresh());
    }
    if record.expires_at <= Utc::now() {
        return Err(invalid_refresh());
    }
    let user = users::find_access(&mut *tx, record.user_id).await?.ok_or_else(invalid_refresh)?;
    ensure_may_sign_in(user.status)?;

    refresh_tokens::revoke(&mut *tx, record.id).await?;
    let fresh = refresh_token::generate();
    let expires_at = Utc::now() + ctx.settings.refresh_token_ttl;
    refresh_tokens::insert(&mut *tx, user.id, &fresh.hash, &record.family_id, expires_at).await?;
    let access_token = ctx.jwt.issue(user.id, user.role).map_err(ApiError::internal)?;
    tx.commit().await?;
    Ok(TokenPair { access_token, refresh_token: fresh.token })
}

/// Revoke one of the caller's own refresh tokens. Revoking it twice is fine;
/// someone else's token or an unknown one is refused without a hint.
#[tracing::instrument(skip_all, fields(user.id = user_id))]
pub async fn logout(ctx: &AppContext, user_id: i64, presented: &str) -> Result<(), ApiError> {
    let mut tx = ctx.db.begin().await?;
    match refresh_tokens::find_for_update(&mut *tx, &refresh_token::hash(presented)).await? {
        Some(record) if record.user_id == user_id => {
            refresh_tokens::revoke(&mut *tx, record.id).await?;
            tx.commit().await?;
            Ok(())
        }
        _ => Err(invalid_refresh()),
    }
}
