//! The console: a single-page web client of the public API (plain
//! JavaScript and CSS in `functions/console/`, no build step), compiled into
//! the binary and served by the local gateway at `/` and `/console/*`. It is
//! not part of the API's route table: in AWS the same files are static
//! objects behind CloudFront (`template.yaml`, "Console").
//!
//! Two local conveniences live here too, never in the API: `config.json`
//! names the WhatsApp Web simulator when `WHATSAPP_URL` points at one, and
//! `simulator/scan` forwards a QR scan to it (the simulator answers no CORS,
//! so the page cannot call it directly).

use std::time::Duration;

use axum::{
    extract::State,
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    routing::{get, post},
    Json, Router,
};
use serde::Deserialize;
use serde_json::json;
use shared::{ApiError, AppContext};

use crate::http::JsonBody;

const INDEX: &str = include_str!("../console/index.html");
const SCRIPT: &str = include_str!("../console/app.js");
const STYLE: &str = include_str!("../console/app.css");

/// Scripts and styles only from this origin (no inline code at all), the QR
/// as a data URI, downloads as blobs, API calls and the WebSocket to this
/// origin (CSP 3: `'self'` covers `ws:` to the same host).
const POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; \
                      connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

#[derive(Clone)]
struct Console {
    simulator_url: Option<String>,
    http: reqwest::Client,
}

/// The console's routes; the gateway merges them outside the API's layers.
pub fn router(ctx: &AppContext) -> Router {
    let state = Console {
        simulator_url: ctx.settings.gateway.simulator_url.clone(),
        http: reqwest::Client::builder().timeout(Duration::from_secs(5)).build().expect("an HTTP client"),
    };
    let router = Router::new()
        .route("/", get(index))
        .route("/console", get(index))
        .route("/console/", get(index))
        .route("/console/payment/result", get(index))
        .route("/console/app.js", get(|| asset(SCRIPT, "text/javascript; charset=utf-8")))
        .route("/console/app.css", get(|| asset(STYLE, "text/css; charset=utf-8")))
        .route("/console/config.json", get(config))
        .route("/console/simulator/scan", post(scan))
        .with_state(state);
    // The API's headers; the page's own policy (below) replaces the API's
    // `default-src 'none'`.
    crate::http::layers::security_headers(router)
}

async fn index() -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8")),
            (header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(POLICY)),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        ],
        INDEX,
    )
        .into_response()
}

fn asset(body: &'static str, content_type: &'static str) -> impl std::future::Future<Output = Response> {
    std::future::ready(
        (
            [
                (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
                (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
            ],
            body,
        )
            .into_response(),
    )
}

/// `{simulatorUrl, apiBase, wsUrl}` (`wsUrl` null: this origin's
/// `/ws/campaigns`): the simulator only when it answers its
/// control API, so a `WHATSAPP_URL` that is something else shows nothing.
async fn config(State(console): State<Console>) -> Response {
    let simulator = match &console.simulator_url {
        Some(url) => {
            let probe = console.http.get(format!("{url}/__control/devices")).timeout(Duration::from_secs(1)).send();
            probe.await.ok().filter(|answer| answer.status().is_success()).map(|_| url.clone())
        }
        None => None,
    };
    let mut response = Json(json!({ "simulatorUrl": simulator, "apiBase": "", "wsUrl": null })).into_response();
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

#[derive(Deserialize)]
struct ScanRequest {
    #[serde(rename = "ref")]
    qr_ref: String,
}

/// Forward "the phone scanned this QR" to the simulator.
async fn scan(State(console): State<Console>, JsonBody(request): JsonBody<ScanRequest>) -> Response {
    let Some(url) = &console.simulator_url else {
        return ApiError::NotFound("No WhatsApp simulator is configured".into()).into_response();
    };
    match console.http.post(format!("{url}/__control/scan")).json(&json!({ "ref": request.qr_ref })).send().await {
        Ok(answer) if answer.status().is_success() => Json(json!({ "success": true })).into_response(),
        Ok(answer) => {
            let status = StatusCode::from_u16(answer.status().as_u16()).unwrap_or(StatusCode::BAD_GATEWAY);
            let said = answer.text().await.unwrap_or_default();
            let message = format!("The simulator refused the scan: {}", said.chars().take(200).collect::<String>());
            (status, Json(json!({ "success": false, "code": "SIMULATOR_REFUSED", "message": message }))).into_response()
        }
        Err(err) => ApiError::Unavailable(format!("The simulator did not answer: {err}")).into_response(),
    }
}
