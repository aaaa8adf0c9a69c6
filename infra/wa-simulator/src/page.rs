//! The web client's page. Like web.whatsapp.com it is one app for every path
//! it links to (`/`, `/send?phone=…&text=…`): the script decides between the
//! QR login and the chats from what the browser profile holds.
//!
//! WhatsApp Web turns away headless Chromium by its user agent
//! (`HeadlessChrome/…`) with a "works with Google Chrome" page; so does this
//! one, so the driver's user-agent override is exercised locally too.

use axum::{
    http::{header, HeaderMap},
    response::{Html, IntoResponse, Response},
};

const APP: &str = include_str!("page.html");

/// The text WhatsApp shows to browsers it does not support.
pub const UNSUPPORTED_BROWSER: &str = "WhatsApp works with Google Chrome 85+";

pub async fn app(headers: HeaderMap) -> Response {
    let agent = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let page = if agent.contains("HeadlessChrome") {
        Html(format!(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>WhatsApp</title></head>\
             <body><div class=\"unsupported\"><h1>{UNSUPPORTED_BROWSER}</h1>\
             <p>To use WhatsApp, update Chrome or use Mozilla Firefox, Safari, Microsoft Edge or Opera.</p></div></body></html>"
        ))
    } else {
        Html(APP.to_owned())
    };
    ([(header::CACHE_CONTROL, "no-store")], page).into_response()
}
