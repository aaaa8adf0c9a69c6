//! The layers every area's router gets, in Lambda and in the local gateway
//! alike: JSON 404/405 (with `Allow`), panics as a bare 500, security headers and a request
//! span that records the path but never the query string (it may carry a
//! token), and request metrics by route.

use std::time::Duration;

use axum::{
    extract::MatchedPath,
    http::{header, HeaderName, HeaderValue, Request, StatusCode},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    Router,
};
use shared::ApiError;
use tower_http::{catch_panic::CatchPanicLayer, set_header::SetResponseHeaderLayer, trace::TraceLayer};

const SECURITY_HEADERS: &[(&str, &str)] = &[
    ("x-content-type-options", "nosniff"),
    ("x-frame-options", "DENY"),
    ("referrer-policy", "no-referrer"),
    ("strict-transport-security", "max-age=15552000; includeSubDomains"),
    ("content-security-policy", "default-src 'none'; frame-ancestors 'none'"),
    ("cross-origin-opener-policy", "same-origin"),
    ("x-dns-prefetch-control", "off"),
    ("x-permitted-cross-domain-policies", "none"),
];

/// Wrap an area's routes (or the gateway's merged routes) for serving.
pub fn finish(routes: Router) -> Router {
    let router = routes
        .route_layer(middleware::from_fn(request_metrics))
        .fallback(|| async { ApiError::NotFound("No such endpoint".into()) })
        .method_not_allowed_fallback(method_not_allowed)
        .layer(CatchPanicLayer::custom(|_| ApiError::internal(anyhow::anyhow!("handler panicked")).into_response()));
    security_headers(router).layer(
        TraceLayer::new_for_http()
            .make_span_with(|request: &Request<_>| {
                tracing::info_span!("request", method = %request.method(), path = %request.uri().path())
            })
            .on_response(|response: &Response, latency: Duration, _span: &tracing::Span| {
                tracing::info!(status = response.status().as_u16(), latency_ms = latency.as_millis() as u64, "response");
            }),
    )
}

/// A method the path does not have: 405 in the envelope. axum's method
/// router adds `Allow` with the path's methods to whatever this answers.
pub async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed("Method not allowed on this endpoint; `Allow` lists the ones it has".into())
}

/// `Requests`, `ServerErrors` (5xx) and `Latency` by route (the route's
/// pattern, `GET /api/campaigns/{id}`: few values, no ids).
async fn request_metrics(request: Request<axum::body::Body>, next: Next) -> Response {
    let route = match request.extensions().get::<MatchedPath>() {
        Some(path) => format!("{} {}", request.method(), path.as_str()),
        None => format!("{} (unmatched)", request.method()),
    };
    let started = std::time::Instant::now();
    let response = next.run(request).await;
    let dimensions = [("Route", route.as_str())];
    shared::metrics::count("Requests", 1, &dimensions);
    if response.status().is_server_error() {
        shared::metrics::count("ServerErrors", 1, &dimensions);
    }
    shared::metrics::duration("Latency", started.elapsed(), &dimensions);
    response
}

/// The security headers every answer carries, unless its handler set its
/// own (a page with its own `Content-Security-Policy`).
pub fn security_headers(mut router: Router) -> Router {
    for (name, value) in SECURITY_HEADERS {
        router = router.layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        ));
    }
    router
}

/// `Cache-Control: no-store` for answers that carry credentials.
pub fn no_store(mut response: Response) -> Response {
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The body of a success that carries nothing but its message.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Done {
    /// Always `true` on success.
    pub success: bool,
    pub message: &'static str,
}

impl Done {
    pub fn answer(message: &'static str) -> Response {
        axum::Json(Done { success: true, message }).into_response()
    }
}

pub fn created<T: IntoResponse>(body: T) -> Response {
    (StatusCode::CREATED, body).into_response()
}
