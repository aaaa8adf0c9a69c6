//! Request extractors that fail with SPEC's JSON envelope.

use axum::{
    body::Bytes,
    extract::{FromRequest, FromRequestParts, OptionalFromRequestParts, Path, Request},
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

/// On public routes: the caller if a valid token came with the request.
/// A missing, stale or refused token reads as anonymous rather than as an
/// error, so a public page never fails because of a leftover token.
impl OptionalFromRequestParts<AppContext> for CurrentUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, ctx: &AppContext) -> Result<Option<Self>, Self::Rejection> {
        if !parts.headers.contains_key(AUTHORIZATION) {
            return Ok(None);
        }
        match <CurrentUser as FromRequestParts<AppContext>>::from_request_parts(parts, ctx).await {
            Ok(user) => Ok(Some(user)),
            Err(ApiError::Internal(cause)) => Err(ApiError::Internal(cause)),
            Err(_) => Ok(None),
        }
    }
}

/// An administrator (ADMIN or SUPER_ADMIN): 401 without a valid token, 403
/// for any other role.
#[derive(Debug, Clone, Copy)]
pub struct AdminUser {
    pub id: i64,
    pub role: Role,
}

impl FromRequestParts<AppContext> for AdminUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, ctx: &AppContext) -> Result<Self, Self::Rejection> {
        let user = <CurrentUser as FromRequestParts<AppContext>>::from_request_parts(parts, ctx).await?;
        if !user.role.is_admin() {
            return Err(ApiError::Forbidden { code: "ADMIN_REQUIRED", message: "This needs an administrator".into() });
        }
        Ok(Self { id: user.id, role: user.role })
    }
}

/// The one id in the path (`/{id}`, `/{userId}`): a positive integer, else
/// a 400 naming `id`. Whether that id is the caller's to see is the
/// handler's question (someone else's is a 404).
pub struct PathId(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for PathId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(raw) = <Path<String> as FromRequestParts<S>>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::NotFound("No such endpoint".into()))?;
        raw.parse::<i64>()
            .ok()
            .filter(|id| *id > 0)
            .map(Self)
            .ok_or_else(|| ApiError::field("id", "must be a positive whole number"))
    }
}

/// Who an access token belongs to, if they may still use the API.
pub async fn authenticate(ctx: &AppContext, token: &str) -> Result<CurrentUser, ApiError> {
    let invalid =
        || ApiError::Unauthorized { code: "INVALID_TOKEN", message: "Invalid or expired access token".into() };
    let user_id = ctx.jwt.verify(token).and_then(|claims| claims.user_id()).ok_or_else(invalid)?;
    let access = users::find_access(&ctx.db, user_id).await?.ok_or_else(invalid)?;
    match access.status {
        UserStatus::Active => Ok(CurrentUser { id: access.id, role: access.role }),
        UserStatus::Banned => {
            Err(ApiError::Forbidden { code: "USER_BANNED", message: "This account is banned".into() })
        }
        UserStatus::Inactive => {
            Err(ApiError::Forbidden { code: "USER_INACTIVE", message: "This account is inactive".into() })
        }
    }
}
