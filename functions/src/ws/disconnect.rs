//! `$disconnect`: forget the connection and what it followed.

use lambda_http::aws_lambda_events::apigw::ApiGatewayProxyResponse;
use shared::{realtime, AppContext};

use super::{connection_id, respond, respond_error, WebSocketEvent};

pub async fn handle(ctx: &AppContext, event: WebSocketEvent) -> ApiGatewayProxyResponse {
    let result = async { realtime::disconnect(ctx, connection_id(&event)?).await }.await;
    match result {
        Ok(()) => respond(200, None),
        Err(err) => respond_error(err),
    }
}
