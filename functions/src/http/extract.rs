//! Request extractors that fail with SPEC's JSON envelope.

use axum::{
    body::Bytes,
    extract::{FromRequest, FromRequestParts, Request},
    http::{header::AUTHORIZATION, request::Parts, StatusCode},
};
use serde::de::DeserializeOwned;
use shared::{
    domain::{Role, UserStatus},
    repo::users,
    validation::parse_json,
    ApiError, AppContext,
};

/// A JSON body parsed into `T`; malformed JSON, missing fields, wrong types
/// and unknown enum values are a 400 naming the field.
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::PayloadTooLarge("The request body is too large".into())
            } else {
                ApiError::field("body", "could not be read")
            }
        })?;
        parse_json(&bytes).map(JsonBody)
    }
}

/// The caller, from `Authorization: Bearer <accessToken>`. The account is
/// re-read on every request, so a ban or a role change applies at once
/// rather than when the access token expires.
#[derive(Debug, Clone, Copy)]
pub struct CurrentUser {
    pub id: i64,
    pub role: Role,
}

impl FromRequestParts<AppContext> for CurrentUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, ctx: &AppContext) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer ").or_else(|| value.strip_prefix("bearer ")))
            .map(str::trim)
            .ok_or_else(|| ApiError::unauthorized("An access token is required"))?;
        authenticate(ctx, token).await
    }
}

/// Who an access token belongs to, if they may still use the API.
pub async fn authenticate(ctx: &AppContext, token: &str) -> Result<CurrentUser, ApiError> {
    let invalid = || ApiError::Unauthorized { code: "INVALID_TOKEN", message: "Invalid or expired access token".into() };
    let user_id = ctx.jwt.verify(token).and_then(|claims| claims.user_id()).ok_or_else(invalid)?;
    let access = users::find_access(&ctx.db, user_id).await?.ok_or_else(invalid)?;
    match access.status {
        UserStatus::Active => Ok(CurrentUser { id: access.id, role: access.role }),
        UserStatus::Banned => Err(ApiError::Forbidden { code: "USER_BANNED", message: "This account is banned".into() }),
        UserStatus::Inactive => {
            Err(ApiError::Forbidden { code: "USER_INACTIVE", message: "This account is inactive".into() })
        }
    }
}
