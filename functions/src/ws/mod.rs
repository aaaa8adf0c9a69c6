//! The WebSocket API's three routes as API Gateway invokes them:
//! `$connect`, `$disconnect` and `$default`, each a function from an
//! API-Gateway WebSocket event to a proxy response. The ws-* Lambdas run
//! them; the local gateway builds the same events and calls the same code.

pub mod connect;
pub mod default;
pub mod disconnect;

use lambda_http::aws_lambda_events::{
    apigw::{ApiGatewayProxyResponse, ApiGatewayWebsocketProxyRequest},
    encodings::Body,
};
use serde_json::Value;
use shared::ApiError;

pub use lambda_http::aws_lambda_events::apigw::ApiGatewayWebsocketProxyRequest as WebSocketEvent;

fn connection_id(event: &ApiGatewayWebsocketProxyRequest) -> Result<&str, ApiError> {
    event
        .request_context
        .connection_id
        .as_deref()
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("WebSocket event without a connection id")))
}

fn respond(status: u16, body: Option<Value>) -> ApiGatewayProxyResponse {
    let mut response = ApiGatewayProxyResponse::default();
    response.status_code = i64::from(status);
    response.body = body.map(|b| Body::Text(b.to_string()));
    response
}

/// An error as API Gateway should answer it: the status refuses a
/// `$connect`; the envelope is what a client sees.
fn respond_error(err: ApiError) -> ApiGatewayProxyResponse {
    if let ApiError::Internal(cause) = &err {
        tracing::error!(error.cause_chain = ?cause, "WebSocket route failed");
    }
    let message = match &err {
        ApiError::Internal(_) => "Internal server error".to_owned(),
        other => other.to_string(),
    };
    let body = serde_json::json!({"success": false, "message": message, "code": err.code()});
    respond(err.status().as_u16(), Some(body))
}

/// The three routes of the WebSocket API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    Connect,
    Disconnect,
    Default,
}

pub async fn handle(ctx: &shared::AppContext, route: Route, event: WebSocketEvent) -> ApiGatewayProxyResponse {
    match route {
        Route::Connect => connect::handle(ctx, event).await,
        Route::Disconnect => disconnect::handle(ctx, event).await,
        Route::Default => default::handle(ctx, event).await,
    }
}

/// A ws-* Lambda's whole life: settings, then events until shutdown.
pub async fn run_lambda(route: Route) -> Result<(), lambda_http::Error> {
    use lambda_http::{lambda_runtime, service_fn, LambdaEvent};
    shared::telemetry::init();
    let ctx = shared::AppContext::from_env().await?;
    let ctx = &ctx;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<WebSocketEvent>| async move {
        Ok::<_, lambda_http::Error>(handle(ctx, route, event.payload).await)
    }))
    .await
}
