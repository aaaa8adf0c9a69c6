//! WhatsApp sessions: the user's numbers (linked once, reused by every campaign), and per
//! campaign the QR code or pairing code, connection, start, pause, resume, detaching, and
//! scheduled starts. Served by the campaigns Lambda beside
//! the campaigns routes; the sender fleet does the WhatsApp work.

pub(crate) mod accounts;
pub(crate) mod handlers;

use axum::{
    routing::{get, post},
    Router,
};
use shared::AppContext;

pub fn router(ctx: AppContext) -> Router {
    Router::new()
        .route("/api/campaigns/{id}/qr-code", post(handlers::qr_code))
        .route("/api/campaigns/{id}/pairing-code", post(handlers::pairing_code))
        .route("/api/campaigns/{id}/connection", get(handlers::connection))
        .route("/api/campaigns/{id}/start", post(handlers::start))
        .route("/api/campaigns/{id}/pause", post(handlers::pause))
        .route("/api/campaigns/{id}/resume", post(handlers::resume))
        .route("/api/campaigns/{id}/cleanup-session", post(handlers::cleanup))
        .route("/api/campaigns/scheduled", get(handlers::scheduled))
        .route("/api/campaigns/{id}/cancel-schedule", post(handlers::cancel_schedule))
        .route("/api/whatsapp-accounts", get(accounts::list).post(accounts::link))
        .route("/api/whatsapp-accounts/pairing-otp", post(accounts::pairing_otp))
        .route("/api/whatsapp-accounts/{id}", get(accounts::get_one).delete(accounts::remove))
        .with_state(ctx)
}
