//! A stand-in for web.whatsapp.com, for local runs and tests: the real thing
//! needs a phone and the internet. It reproduces what the sender's driver
//! relies on, with WhatsApp's own DOM hooks (`div[data-ref]` holding the QR
//! string, `#pane-side`, the `#main` chat with its contenteditable compose
//! box, `data-icon` send button and ticks, the invalid-number popup), and a
//! control API (`/__control/…`) standing in for the user's phone.
//!
//! It must not grow behaviour the driver does not need: every feature here is
//! something real WhatsApp Web does that the driver depends on.

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
pub use config::{ConfigError, SimulatorConfig};
pub use control::DEFAULT_ACCOUNT;
pub use model::{Attachment, DeliveryStatus, LinkedDevice, ReceivedMessage};
pub use page::UNSUPPORTED_BROWSER;

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
        .route("/sim/state", get(web::session_state))
        .route("/sim/messages", post(web::send_text))
        .route("/sim/media", post(web::send_media))
        // The user's phone and the test's eyes.
        .route("/__control/scan", post(control::scan))
        .route("/__control/not-on-whatsapp", post(control::not_on_whatsapp))
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
