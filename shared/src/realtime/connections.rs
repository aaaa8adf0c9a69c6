//! Who may follow which campaign. A connection is opened with an access
//! token and a campaign id; it belongs to the token's user and can only ever
//! follow that user's own campaigns. A client-given `userId` is ignored.

use std::time::Duration;

use crate::{
    domain::UserStatus,
    error::ApiError,
    repo::{users, ws_connections},
    AppContext,
};

/// API Gateway closes WebSocket connections after two hours.
pub const CONNECTION_LIFETIME: Duration = Duration::from_secs(2 * 60 * 60);

fn not_yours() -> ApiError {
    ApiError::not_found("Campaign")
}

/// Register a new connection of `user_id` following `campaign_id`.
#[tracing::instrument(skip(ctx), fields(user.id = user_id))]
pub async fn connect(ctx: &AppContext, connection_id: &str, user_id: i64, campaign_id: i64) -> Result<(), ApiError> {
    let mut tx = ctx.db.begin().await?;
    // The account again, locked: a ban committing meanwhile either waits
    // for this connection (and then closes it) or is seen here.
    match users::find_access_for_update(&mut *tx, user_id).await?.map(|access| access.status) {
        Some(UserStatus::Active) => {}
        Some(UserStatus::Banned) => {
            return Err(ApiError::Forbidden { code: "USER_BANNED", message: "This account is banned".into() })
        }
        Some(UserStatus::Inactive) => {
            return Err(ApiError::Forbidden { code: "USER_INACTIVE", message: "This account is inactive".into() })
        }
        None => return Err(ApiError::unauthorized("Invalid or expired access token")),
    }
    if !ws_connections::campaign_belongs_to(&mut *tx, campaign_id, user_id).await? {
        return Err(not_yours());
    }
    let expires_at = chrono::Utc::now() + CONNECTION_LIFETIME;
    ws_connections::insert(&mut *tx, connection_id, user_id, expires_at).await?;
    ws_connections::subscribe(&mut *tx, connection_id, campaign_id).await?;
    tx.commit().await?;
    Ok(())
}

/// Let an open connection follow another campaign of the same user.
pub async fn subscribe(ctx: &AppContext, connection_id: &str, campaign_id: i64) -> Result<(), ApiError> {
    let owner = ws_connections::owner(&ctx.db, connection_id)
        .await?
        .ok_or_else(|| ApiError::unauthorized("Unknown or expired connection"))?;
    if !ws_connections::campaign_belongs_to(&ctx.db, campaign_id, owner).await? {
        return Err(not_yours());
    }
    ws_connections::subscribe(&ctx.db, connection_id, campaign_id).await?;
    Ok(())
}

/// Let an open connection follow one of the user's WhatsApp accounts: its
/// `qr_code`, `pairing_code`, `status_update` and `error_update` events.
pub async fn subscribe_account(ctx: &AppContext, connection_id: &str, account_id: i64) -> Result<(), ApiError> {
    let owner = ws_connections::owner(&ctx.db, connection_id)
        .await?
        .ok_or_else(|| ApiError::unauthorized("Unknown or expired connection"))?;
    if !ws_connections::account_belongs_to(&ctx.db, account_id, owner).await? {
        return Err(ApiError::not_found("WhatsApp account"));
    }
    ws_connections::subscribe_account(&ctx.db, connection_id, account_id).await?;
    Ok(())
}

pub async fn disconnect(ctx: &AppContext, connection_id: &str) -> Result<(), ApiError> {
    ws_connections::delete(&ctx.db, connection_id).await?;
    Ok(())
}
