//! A stand-in for web.whatsapp.com, for local runs and tests: the real thing
//! needs a phone and the internet. It reproduces what the sender's driver
//! relies on, with WhatsApp's own DOM hooks as `docs/whatsapp-web-evidence.md`
//! records them — in the 2026 markup (message rows by bare id with their
//! direction only in the bubble, the reach-out timelock bar, "What's new"
//! after a scan), the 2025 one (WDS `<svg><title>` icons, padded status
//! `aria-label`s, `data-testid`s, `true_`/`false_` row ids) or the legacy
//! one (`data-icon` spans), see [`Markup`] — plus the loading screen of
//! every full page load, in-app handling of `wa.me` links, "Link with phone
//! number", and a control API (`/__control/…`) standing in for the user's
//! phone, for the people who write to it, for WhatsApp's enforcement (the
//! restriction notice, the reach-out timelock, the new-chat message cap) and
//! for a WhatsApp release that renames a hook.
//!
//! It follows the evidence about the real site, never the driver's guesses,
//! and must not grow behaviour the driver does not need.

mod client;
mod config;
mod control;
mod model;
mod page;
mod qr;
mod state;
mod web;

use std::{net::SocketAddr, sync::Arc};

use axum::{
    extract::DefaultBodyLimit,
    routing::{get, post},
    Router,
};
use tokio::{net::TcpListener, sync::oneshot, task::JoinHandle};

pub use client::{ControlClient, ControlError};
pub use config::{ConfigError, Markup, SimulatorConfig};
pub use control::DEFAULT_ACCOUNT;
pub use model::{Attachment, CappingStatus, DeliveryStatus, LinkedDevice, NewChatCap, ReceivedMessage};
pub use page::UNSUPPORTED_BROWSER;
pub use state::DRIFTABLE_HOOKS;

use state::State;

/// Attachments are at most 20 MB (SPEC); leave room above it so the limit
/// that bites in a test is the product's, not the simulator's.
const MAX_UPLOAD_BYTES: usize = 64 * 1024 * 1024;

/// The route table.
pub fn router(config: SimulatorConfig) -> Router {
    let state = Arc::new(State::new(config));
    Router::new()
        // The web client: one page for every path WhatsApp Web links to.
        .route("/", get(page::app))
        .route("/send", get(page::app))
        // The page's backend (WhatsApp Web talks to its servers over a
        // WebSocket; the simulated page polls these instead).
        .route("/sim/pairing", post(web::new_pairing))
        .route("/sim/pairing/{id}", get(web::poll_pairing))
        .route("/sim/pairing/{id}/code", post(web::request_code))
        .route("/sim/state", get(web::session_state))
        .route("/sim/messages", post(web::send_text))
        .route("/sim/media", post(web::send_media))
        .route("/sim/logout", post(web::log_out))
        // The user's phone and the test's eyes.
        .route("/__control/scan", post(control::scan))
        .route("/__control/pair", post(control::pair))
        .route("/__control/not-on-whatsapp", post(control::not_on_whatsapp))
        .route("/__control/receipts", post(control::receipts))
        .route("/__control/drift", post(control::drift))
        .route("/__control/restrict", post(control::restrict))
        .route("/__control/stall", post(control::stall))
        .route("/__control/reply", post(control::reply))
        .route("/__control/inbound", post(control::inbound))
        .route("/__control/timelock", post(control::timelock))
        .route("/__control/quota", post(control::quota))
        .route("/__control/logout", post(control::logout))
        .route("/__control/devices", get(control::devices))
        .route("/__control/messages", get(control::messages))
        .route("/__control/reset", post(control::reset))
        .layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES))
        .with_state(state)
}

/// A simulator serving on a port of its own until dropped.
pub struct RunningSimulator {
    base_url: String,
    shutdown: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

impl RunningSimulator {
    /// Serves on 127.0.0.1 on a free port (tests run many side by side).
    pub async fn start(config: SimulatorConfig) -> std::io::Result<Self> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr: SocketAddr = listener.local_addr()?;
        let (shutdown, stop) = oneshot::channel::<()>();
        let app = router(config);
        let task = tokio::spawn(async move {
            let served = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stop.await;
                })
                .await;
            if let Err(err) = served {
                tracing::error!(error = %err, "simulator stopped");
            }
        });
        Ok(Self { base_url: format!("http://{addr}"), shutdown: Some(shutdown), task })
    }

    /// `http://127.0.0.1:<port>`, what the driver is pointed at.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    pub fn control(&self) -> ControlClient {
        ControlClient::new(&self.base_url)
    }
}

impl Drop for RunningSimulator {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        // Open pages keep polling; do not wait for them to go away.
        self.task.abort();
    }
}

/// Phone numbers are compared as their digits (`+98 912-…` is `98912…`).
fn digits(phone: &str) -> String {
    phone.chars().filter(char::is_ascii_digit).collect()
}
