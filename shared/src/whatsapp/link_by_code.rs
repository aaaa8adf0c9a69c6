//! `POST /api/campaigns/{id}/pairing-code {phone, otp?}`: log in with a
//! pairing code instead of the QR ("Link with phone number"), only for the
//! user's own number (see `link_admission`). The sender running the
//! campaign's session asks WhatsApp Web for the code; this waits for it
//! like the QR request does, or answers with the place in the queue.
//! Renewed codes reach the client as `pairing_code` events.

use chrono::{DateTime, Utc};

use super::{
    link_queue::{self, Pairing, Waited},
    numbers::CampaignLink,
    prepare_linking, Queued,
};
use crate::{domain::Phone, error::ApiError, queue::CommandKind, AppContext};

pub enum PairingAnswer {
    /// The code to type on the phone (`ABCD-EFGH`) and when WhatsApp replaces it.
    Code { code: String, expires_at: DateTime<Utc> },
    /// Waiting for a browser: the code comes as a `pairing_code` event.
    Queued(Queued),
}

pub async fn request_pairing_code(
    ctx: &AppContext,
    user_id: i64,
    id: i64,
    phone: &Phone,
    otp: Option<&str>,
) -> Result<PairingAnswer, ApiError> {
    let already =
        || ApiError::Conflict { code: "WHATSAPP_ALREADY_CONNECTED", message: "WhatsApp is already connected".into() };
    let account_id = match prepare_linking(ctx, user_id, id, Some((phone, otp))).await? {
        CampaignLink::Connected => return Err(already()),
        CampaignLink::Linking(account_id) => account_id,
    };
    // Names the campaign and its number: the session links for both.
    crate::campaigns::run::nudge(ctx, id, CommandKind::Open).await;
    match link_queue::wait_for(ctx, account_id, link_queue::pairing_shown).await? {
        Waited::Code(Pairing::Code { code, expires_at }) => Ok(PairingAnswer::Code { code, expires_at }),
        Waited::Queued(queued) => Ok(PairingAnswer::Queued(queued)),
        Waited::Connected => Err(already()),
        // The sender gave up on it (it says why in an error_update).
        Waited::Code(Pairing::Refused) => {
            Err(ApiError::Unavailable("WhatsApp Web could not show a pairing code; try the QR code".into()))
        }
    }
}
