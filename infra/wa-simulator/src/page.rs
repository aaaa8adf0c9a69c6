//! The web client's page. Like web.whatsapp.com it is one app for every path
//! it links to (`/`, `/send?phone=…&text=…`): the script decides between the
//! QR login and the chats from what the browser profile holds. Every full
//! load shows the loading screen for the configured boot delay first, as the
//! real app does while it decrypts and loads the chats.
//!
//! WhatsApp Web turns away headless Chromium by its user agent
//! (`HeadlessChrome/…`) with a "works with Google Chrome" page; so does this
//! one, so the driver's user-agent override is exercised locally too.

use axum::{
    extract::State as AxumState,
    http::{header, HeaderMap},
    response::{Html, IntoResponse, Response},
};
use serde_json::json;

use crate::{config::Markup, web::AppState};

const APP: &str = include_str!("page.html");

/// The text WhatsApp shows to browsers it does not support.
pub const UNSUPPORTED_BROWSER: &str = "WhatsApp works with Google Chrome 85+";

pub async fn app(AxumState(state): AxumState<AppState>, headers: HeaderMap) -> Response {
    let agent = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let page = if agent.contains("HeadlessChrome") {
        Html(format!(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>WhatsApp</title></head>\
             <body><div class=\"unsupported\"><h1>{UNSUPPORTED_BROWSER}</h1>\
             <p>To use WhatsApp, update Chrome or use Mozilla Firefox, Safari, Microsoft Edge or Opera.</p></div></body></html>"
        ))
    } else {
        let config = state.config();
        let settings = json!({
            "markup": config.markup.as_str(),
            // "What's new" after a scan exists only in 2026 builds.
            "whatsNew": config.whats_new && config.markup == Markup::M2026,
            "bootDelayMs": config.boot_delay.as_millis() as u64,
            "drift": state.drifted(),
        });
        // Only our own JSON goes in; `<` is escaped so it cannot close the tag.
        let settings = settings.to_string().replace('<', "\\u003c");
        let lang: String = config.lang.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
        Html(APP.replacen("{{LANG}}", &lang, 1).replacen("{{SETTINGS}}", &settings, 1))
    };
    ([(header::CACHE_CONTROL, "no-store")], page).into_response()
}
