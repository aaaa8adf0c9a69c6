//! The local gateway's app: every area's router merged unchanged, plus what
//! API Gateway does in AWS — CORS for the frontend, a per-client rate limit,
//! the WebSocket API at `/ws/campaigns` (the old service's path) and its
//! `@connections` management API; and the console (`crate::console`),
//! which in AWS is static files behind CloudFront instead.

mod management;
mod websocket;

use axum::{
    body::Body,
    extract::Request,
    http::{header, HeaderValue},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::get,
    Router,
};
use futures_util::StreamExt;
use shared::{campaigns::MAX_ATTACHMENT_BYTES, ApiError, AppContext};
use tower_http::cors::{AllowHeaders, AllowMethods, AllowOrigin, CorsLayer};

use crate::{
    http::{self, rate_limit::RateLimiter, upload::MULTIPART_OVERHEAD},
    routes::Function,
};
use websocket::{LocalWebSockets, Registry};

/// Every Lambda function's routes, merged: the whole HTTP API.
pub fn routes(ctx: &AppContext) -> Router {
    Function::ALL.into_iter().fold(Router::new(), |merged, function| merged.merge(crate::routes::routes(function, ctx)))
}

pub fn app(ctx: AppContext) -> Router {
    let settings = &ctx.settings.gateway;
    let limiter = RateLimiter::new(settings.rate_limit_max, settings.rate_limit_window);
    // FRONTEND_URL may list several origins, comma-separated.
    let origins = settings.frontend_url.split(',').filter_map(|o| HeaderValue::from_str(o.trim()).ok());
    let cors = CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_methods(AllowMethods::mirror_request())
        .allow_headers(AllowHeaders::mirror_request())
        .allow_credentials(true)
        .max_age(std::time::Duration::from_secs(600));
    let local = LocalWebSockets { ctx: ctx.clone(), registry: Registry::default() };
    // The WebSocket and management endpoints stand outside the HTTP API's
    // rate limit, as they do in AWS.
    let websockets = Router::new().route("/ws/campaigns", get(websocket::upgrade)).with_state(local.clone());
    http::finish(routes(&ctx))
        .layer(middleware::from_fn_with_state(limiter, http::rate_limit::enforce))
        .layer(cors)
        .merge(websockets)
        .merge(management::routes(local))
        .merge(crate::console::router(&ctx))
        // The API's routes have it already; the WebSocket, management and
        // console routes get the same JSON 405 (with `Allow`).
        .method_not_allowed_fallback(http::layers::method_not_allowed)
        .layer(middleware::from_fn(read_whole_body))
}

/// The largest body a route takes: an attachment sent as multipart.
const MAX_BODY_BYTES: usize = MAX_ATTACHMENT_BYTES + MULTIPART_OVERHEAD;

/// What the gateway reads and throws away of a body over `MAX_BODY_BYTES`
/// before it answers 413 (beyond it, it answers and closes the connection).
const MAX_DISCARDED_BYTES: usize = 4 * MAX_BODY_BYTES;

/// The body is read to its end before the route answers, as API Gateway
/// does: a route that has no use for a body (a GET sent one) would
/// otherwise answer while the client is still sending, and the server
/// closing a connection with unread data in it resets it — the client gets
/// `connection reset` instead of the answer. Over `MAX_BODY_BYTES` the
/// answer is a 413 in the envelope, whatever the route.
async fn read_whole_body(request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let mut chunks = body.into_data_stream();
    let mut kept: Vec<u8> = Vec::new();
    let mut read = 0usize;
    while let Some(chunk) = chunks.next().await {
        let Ok(data) = chunk else {
            return ApiError::field("body", "could not be read").into_response();
        };
        read += data.len();
        if read <= MAX_BODY_BYTES {
            kept.extend_from_slice(&data);
        } else if read > MAX_BODY_BYTES + MAX_DISCARDED_BYTES {
            break;
        }
    }
    if read > MAX_BODY_BYTES {
        let mut response = ApiError::PayloadTooLarge("The request body is too large".into()).into_response();
        response.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
        return response;
    }
    next.run(Request::from_parts(parts, Body::from(kept))).await
}
