//! Thin handlers: parse, call one account operation, shape the answer.

use axum::{
    extract::State,
    response::{IntoResponse, Response},
    Json,
};
use serde::Deserialize;
use serde_json::json;
use shared::{
    accounts::{self, LoginInput, OtpInput, ProfileInput, RegisterInput},
    ApiError, AppContext,
};

use super::views::{Profile, UserSummary};
use crate::http::{
    layers::{created, no_store},
    CurrentUser, JsonBody,
};

type Answer = Result<Response, ApiError>;

#[utoipa::path(
    post,
    path = "/api/auth/request-otp",
    tag = "auth",
    summary = "Send a 6-digit code by SMS or e-mail (resend throttled per target)",
    request_body = shared::accounts::OtpInput,
    responses((status = 200, description = "Code sent", body = crate::openapi::bodies::OtpSent)),
)]
pub async fn request_otp(State(ctx): State<AppContext>, JsonBody(input): JsonBody<OtpInput>) -> Answer {
    let sent = accounts::request_otp(&ctx, input).await?;
    Ok(Json(json!({
        "success": true,
        "message": "Verification code sent",
        "expiresIn": sent.expires_in_secs,
        "resendAfter": sent.resend_after_secs,
    }))
    .into_response())
}

#[utoipa::path(
    post,
    path = "/api/auth/verify-otp",
    tag = "auth",
    summary = "Check a code (5 attempts, then the code is dead)",
    request_body = shared::accounts::OtpInput,
    responses((status = 200, description = "Code verified", body = crate::openapi::bodies::OtpVerified)),
)]
pub async fn verify_otp(State(ctx): State<AppContext>, JsonBody(input): JsonBody<OtpInput>) -> Answer {
    accounts::verify_otp(&ctx, input).await?;
    Ok(Json(json!({ "success": true, "message": "Code verified", "verified": true })).into_response())
}

#[utoipa::path(
    post,
    path = "/api/user/register",
    tag = "auth",
    summary = "Sign up with a verified OTP for the phone",
    request_body = shared::accounts::RegisterInput,
    responses((status = 201, description = "Registered", body = crate::openapi::bodies::UserAnswer)),
)]
pub async fn register(State(ctx): State<AppContext>, JsonBody(input): JsonBody<RegisterInput>) -> Answer {
    let user = accounts::register(&ctx, input, true).await?;
    Ok(created(Json(json!({ "success": true, "message": "Registered", "user": Profile::from(&user) }))))
}

#[utoipa::path(
    post,
    path = "/api/user/register-simple",
    tag = "auth",
    summary = "Sign up without an OTP (can be switched off)",
    request_body = shared::accounts::RegisterInput,
    responses((status = 201, description = "Registered", body = crate::openapi::bodies::UserAnswer)),
)]
pub async fn register_simple(State(ctx): State<AppContext>, JsonBody(input): JsonBody<RegisterInput>) -> Answer {
    let user = accounts::register(&ctx, input, false).await?;
    Ok(created(Json(json!({ "success": true, "message": "Registered", "user": Profile::from(&user) }))))
}

#[utoipa::path(
    post,
    path = "/api/user/login",
    tag = "auth",
    summary = "Log in: an access token and a refresh token",
    request_body = shared::accounts::LoginInput,
    responses((status = 200, description = "Logged in", body = crate::openapi::bodies::LoggedIn)),
)]
pub async fn login(State(ctx): State<AppContext>, JsonBody(input): JsonBody<LoginInput>) -> Answer {
    let (user, tokens) = accounts::login(&ctx, input).await?;
    Ok(no_store(
        Json(json!({
            "success": true,
            "message": "Logged in",
            "accessToken": tokens.access_token,
            "refreshToken": tokens.refresh_token,
            "user": UserSummary::from(&user),
        }))
        .into_response(),
    ))
}

#[utoipa::path(
    get,
    path = "/api/user/profile",
    tag = "auth",
    summary = "The own profile with the subscription fields",
    responses((status = 200, description = "The profile", body = crate::openapi::bodies::UserAnswer)),
    security(("bearer" = [])),
)]
pub async fn profile(State(ctx): State<AppContext>, caller: CurrentUser) -> Answer {
    let user = accounts::get_profile(&ctx, caller.id).await?;
    Ok(Json(json!({ "success": true, "user": Profile::from(&user) })).into_response())
}

#[utoipa::path(
    post,
    path = "/api/user/profile",
    tag = "auth",
    summary = "Update the own profile",
    request_body = shared::accounts::ProfileInput,
    responses((status = 200, description = "Updated", body = crate::openapi::bodies::UserAnswer)),
    security(("bearer" = [])),
)]
pub async fn update_profile(
    State(ctx): State<AppContext>,
    caller: CurrentUser,
    JsonBody(input): JsonBody<ProfileInput>,
) -> Answer {
    let user = accounts::update_profile(&ctx, caller.id, input).await?;
    Ok(Json(json!({ "success": true, "message": "Profile updated", "user": Profile::from(&user) })).into_response())
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RefreshTokenInput {
    refresh_token: String,
}

#[utoipa::path(
    post,
    path = "/api/refresh/token",
    tag = "auth",
    summary = "A new access token (and a rotated refresh token)",
    request_body = RefreshTokenInput,
    responses((status = 200, description = "New tokens", body = crate::openapi::bodies::TokensRefreshed)),
)]
pub async fn refresh(State(ctx): State<AppContext>, JsonBody(input): JsonBody<RefreshTokenInput>) -> Answer {
    let tokens = accounts::refresh(&ctx, &input.refresh_token).await?;
    Ok(no_store(
        Json(json!({ "success": true, "accessToken": tokens.access_token, "refreshToken": tokens.refresh_token }))
            .into_response(),
    ))
}

#[utoipa::path(
    post,
    path = "/api/auth/logout",
    tag = "auth",
    summary = "Revoke a refresh token",
    request_body = RefreshTokenInput,
    responses((status = 200, description = "Logged out", body = crate::openapi::bodies::Done)),
    security(("bearer" = [])),
)]
pub async fn logout(
    State(ctx): State<AppContext>,
    caller: CurrentUser,
    JsonBody(input): JsonBody<RefreshTokenInput>,
) -> Answer {
    accounts::logout(&ctx, caller.id, &input.refresh_token).await?;
    Ok(Json(json!({ "success": true, "message": "Logged out" })).into_response())
}
