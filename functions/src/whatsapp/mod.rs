//! WhatsApp numbers: the user's numbers (linked once, reused by every
//! campaign) and, per campaign, linking by QR code or pairing code and the
//! connection. Served by the campaigns Lambda beside the campaigns routes;
//! the sender fleet does the WhatsApp work.

pub(crate) mod links;
pub(crate) mod numbers;

use shared::AppContext;
use utoipa_axum::{router::OpenApiRouter, routes};

/// The area's routes, each registered once with its documentation.
pub fn api() -> OpenApiRouter<AppContext> {
    OpenApiRouter::default()
        .routes(routes!(links::qr_code))
        .routes(routes!(links::pairing_code))
        .routes(routes!(links::connection))
        .routes(routes!(numbers::list, numbers::link))
        .routes(routes!(numbers::pairing_otp))
        .routes(routes!(numbers::get_one, numbers::remove))
}
