//! Thin handlers: parse, call one account operation, shape the answer.

use axum::{
    extract::State,
    response::{IntoResponse, Response},
    Json,
};
use serde::{Deserialize, Serialize};
use shared::{
    accounts::{self, LoginInput, OtpInput, ProfileInput, RegisterInput},
    repo::users::UserRecord,
    ApiError, AppContext,
};
use utoipa::ToSchema;

use super::{
    client_ip::ClientIp,
    views::{Profile, UserSummary},
};
use crate::http::{
    layers::{created, no_store, Done},
    CurrentUser, JsonBody,
};

type Answer = Result<Response, ApiError>;

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OtpSent {
    pub success: bool,
    pub message: &'static str,
    /// Seconds the code stays valid.
    pub expires_in: u64,
    /// Seconds before another code may be requested for this target.
    pub resend_after: u64,
}

#[derive(Serialize, ToSchema)]
pub struct OtpVerified {
    success: bool,
    message: &'static str,
    verified: bool,
}

#[derive(Serialize, ToSchema)]
pub struct UserAnswer<'a> {
    pub success: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<&'static str>,
    pub user: Profile<'a>,
}

impl<'a> UserAnswer<'a> {
    pub fn new(message: Option<&'static str>, user: &'a UserRecord) -> Self {
        Self { success: true, message, user: Profile::from(user) }
    }
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LoggedIn<'a> {
    success: bool,
    message: &'static str,
    /// A JWT for `Authorization: Bearer …`.
    access_token: String,
    /// Opaque; exchange it at `/api/refresh/token`.
    refresh_token: String,
    user: UserSummary<'a>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TokensRefreshed {
    success: bool,
    access_token: String,
    /// The rotated refresh token: the one sent is no longer valid.
    refresh_token: String,
}

#[utoipa::path(
    post,
    path = "/api/auth/request-otp",
    tag = "auth",
    summary = "Send a 6-digit code by SMS or e-mail (resend throttled per target)",
    request_body = shared::accounts::OtpInput,
    responses((status = 200, description = "Code sent", body = OtpSent)),
)]
pub async fn request_otp(
    State(ctx): State<AppContext>,
    ClientIp(client): ClientIp,
    JsonBody(input): JsonBody<OtpInput>,
) -> Answer {
    let sent = accounts::request_otp(&ctx, input, client).await?;
    Ok(Json(OtpSent {
        success: true,
        message: "Verification code sent",
        expires_in: sent.expires_in_secs,
        resend_after: sent.resend_after_secs,
    })
    .into_response())
}

#[utoipa::path(
    post,
    path = "/api/auth/verify-otp",
    tag = "auth",
    summary = "Check a code (5 attempts, then the code is dead)",
    request_body = shared::accounts::OtpInput,
    responses((status = 200, description = "Code verified", body = OtpVerified)),
)]
pub async fn verify_otp(
    State(ctx): State<AppContext>,
    ClientIp(client): ClientIp,
    JsonBody(input): JsonBody<OtpInput>,
) -> Answer {
    accounts::verify_otp(&ctx, input, client).await?;
    Ok(Json(OtpVerified { success: true, message: "Code verified", verified: true }).into_response())
}

#[utoipa::path(
    post,
    path = "/api/user/register",
    tag = "auth",
    summary = "Sign up with a verified OTP for the phone",
    request_body = shared::accounts::RegisterInput,
    responses((status = 201, description = "Registered", body = UserAnswer)),
)]
pub async fn register(State(ctx): State<AppContext>, JsonBody(input): JsonBody<RegisterInput>) -> Answer {
    let user = accounts::register(&ctx, input, true).await?;
    Ok(created(Json(UserAnswer::new(Some("Registered"), &user))))
}

#[utoipa::path(
    post,
    path = "/api/user/register-simple",
    tag = "auth",
    summary = "Sign up without an OTP (can be switched off)",
    request_body = shared::accounts::RegisterInput,
    responses((status = 201, description = "Registered", body = UserAnswer)),
)]
pub async fn register_simple(State(ctx): State<AppContext>, JsonBody(input): JsonBody<RegisterInput>) -> Answer {
    let user = accounts::register(&ctx, input, false).await?;
    Ok(created(Json(UserAnswer::new(Some("Registered"), &user))))
}

#[utoipa::path(
    post,
    path = "/api/user/login",
    tag = "auth",
    summary = "Log in: an access token and a refresh token",
    request_body = shared::accounts::LoginInput,
    responses((status = 200, description = "Logged in", body = LoggedIn)),
)]
pub async fn login(
    State(ctx): State<AppContext>,
    ClientIp(client): ClientIp,
    JsonBody(input): JsonBody<LoginInput>,
) -> Answer {
    let (user, tokens) = accounts::login(&ctx, input, client).await?;
    Ok(no_store(
        Json(LoggedIn {
            success: true,
            message: "Logged in",
            access_token: tokens.access_token,
            refresh_token: tokens.refresh_token,
            user: UserSummary::from(&user),
        })
        .into_response(),
    ))
}

#[utoipa::path(
    get,
    path = "/api/user/profile",
    tag = "auth",
    summary = "The own profile with the subscription fields",
    responses((status = 200, description = "The profile", body = UserAnswer)),
    security(("bearer" = [])),
)]
pub async fn profile(State(ctx): State<AppContext>, caller: CurrentUser) -> Answer {
    let user = accounts::get_profile(&ctx, caller.id).await?;
    Ok(Json(UserAnswer::new(None, &user)).into_response())
}

#[utoipa::path(
    post,
    path = "/api/user/profile",
    tag = "auth",
    summary = "Update the own profile",
    request_body = shared::accounts::ProfileInput,
    responses((status = 200, description = "Updated", body = UserAnswer)),
    security(("bearer" = [])),
)]
pub async fn update_profile(
    State(ctx): State<AppContext>,
    caller: CurrentUser,
    JsonBody(input): JsonBody<ProfileInput>,
) -> Answer {
    let user = accounts::update_profile(&ctx, caller.id, input).await?;
    Ok(Json(UserAnswer::new(Some("Profile updated"), &user)).into_response())
}

#[derive(Deserialize, ToSchema)]
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
    responses((status = 200, description = "New tokens", body = TokensRefreshed)),
)]
pub async fn refresh(State(ctx): State<AppContext>, JsonBody(input): JsonBody<RefreshTokenInput>) -> Answer {
    let tokens = accounts::refresh(&ctx, &input.refresh_token).await?;
    Ok(no_store(
        Json(TokensRefreshed { success: true, access_token: tokens.access_token, refresh_token: tokens.refresh_token })
            .into_response(),
    ))
}

#[utoipa::path(
    post,
    path = "/api/auth/logout",
    tag = "auth",
    summary = "Revoke a refresh token",
    request_body = RefreshTokenInput,
    responses((status = 200, description = "Logged out", body = Done)),
    security(("bearer" = [])),
)]
pub async fn logout(
    State(ctx): State<AppContext>,
    caller: CurrentUser,
    JsonBody(input): JsonBody<RefreshTokenInput>,
) -> Answer {
    accounts::logout(&ctx, caller.id, &input.refresh_token).await?;
    shared::realtime::close_user_sockets(&ctx, caller.id).await;
    Ok(Done::answer("Logged out"))
}
