//! `$connect`: `?campaignId=…&token=<accessToken>` (a browser cannot set
//! headers on a WebSocket). The old client's `userId` parameter is accepted
//! and ignored: the user is whoever the token says.

use lambda_http::aws_lambda_events::apigw::ApiGatewayProxyResponse;
use shared::{realtime, ApiError, AppContext};

use super::{connection_id, respond, respond_error, WebSocketEvent};
use crate::http::extract::authenticate;

pub async fn handle(ctx: &AppContext, event: WebSocketEvent) -> ApiGatewayProxyResponse {
    match accept(ctx, &event).await {
        Ok(()) => respond(200, None),
        Err(err) => respond_error(err),
    }
}

async fn accept(ctx: &AppContext, event: &WebSocketEvent) -> Result<(), ApiError> {
    let params = &event.query_string_parameters;
    let token = params
        .first("token")
        .or_else(|| bearer(event))
        .ok_or_else(|| ApiError::unauthorized("An access token is required (?token=…)"))?;
    let campaign_id = params
        .first("campaignId")
        .and_then(|id| id.parse::<i64>().ok())
        .ok_or_else(|| ApiError::field("campaignId", "a campaign id is required"))?;
    let user = authenticate(ctx, token).await?;
    realtime::connect(ctx, connection_id(event)?, user.id, campaign_id).await
}

/// Non-browser clients may send the usual header instead.
fn bearer(event: &WebSocketEvent) -> Option<&str> {
    event.headers.get("authorization")?.to_str().ok()?.strip_prefix("Bearer ")
}
