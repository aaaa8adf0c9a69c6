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

pub async fn verify_otp(State(ctx): State<AppContext>, JsonBody(input): JsonBody<OtpInput>) -> Answer {
    accounts::verify_otp(&ctx, input).await?;
    Ok(Json(json!({ "success": true, "message": "Code verified", "verified": true })).into_response())
}

pub async fn register(State(ctx): State<AppContext>, JsonBody(input): JsonBody<RegisterInput>) -> Answer {
    let user = accounts::register(&ctx, input, true).await?;
    Ok(created(Json(json!({ "success": true, "message": "Registered", "user": Profile::from(&user) }))))
}

pub async fn register_simple(State(ctx): State<AppContext>, JsonBody(input): JsonBody<RegisterInput>) -> Answer {
    let user = accounts::register(&ctx, input, false).await?;
    Ok(created(Json(json!({ "success": true, "message": "Registered", "user": Profile::from(&user) }))))
}

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

pub async fn profile(State(ctx): State<AppContext>, caller: CurrentUser) -> Answer {
    let user = accounts::get_profile(&ctx, caller.id).await?;
    Ok(Json(json!({ "success": true, "user": Profile::from(&user) })).into_response())
}

pub async fn update_profile(
    State(ctx): State<AppContext>,
    caller: CurrentUser,
    JsonBody(input): JsonBody<ProfileInput>,
) -> Answer {
    let user = accounts::update_profile(&ctx, caller.id, input).await?;
    Ok(Json(json!({ "success": true, "message": "Profile updated", "user": Profile::from(&user) })).into_response())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RefreshTokenInput {
    refresh_token: String,
}

pub async fn refresh(State(ctx): State<AppContext>, JsonBody(input): JsonBody<RefreshTokenInput>) -> Answer {
    let tokens = accounts::refresh(&ctx, &input.refresh_token).await?;
    Ok(no_store(
        Json(json!({ "success": true, "accessToken": tokens.access_token, "refreshToken": tokens.refresh_token }))
            .into_response(),
    ))
}

pub async fn logout(
    State(ctx): State<AppContext>,
    caller: CurrentUser,
    JsonBody(input): JsonBody<RefreshTokenInput>,
) -> Answer {
    accounts::logout(&ctx, caller.id, &input.refresh_token).await?;
    Ok(Json(json!({ "success": true, "message": "Logged out" })).into_response())
}
