//! `POST /api/campaigns/{id}/pairing-code {phone}`: log in with a pairing
//! code instead of the QR ("Link with phone number"). The sender running
//! the campaign's session asks WhatsApp Web for the code; this waits for it
//! like the QR request does. Renewed codes reach the client as
//! `pairing_code` events.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use super::{
    accounts::{CampaignLink, LINK_WAIT},
    prepare_linking,
};
use crate::{
    domain::Phone,
    error::ApiError,
    queue::CommandKind,
    repo::{campaigns, pairing},
    AppContext,
};

/// The code to type on the phone (`ABCD-EFGH`) and when WhatsApp replaces it.
pub struct PairingCode {
    pub code: String,
    pub expires_at: DateTime<Utc>,
}

pub async fn request_pairing_code(
    ctx: &AppContext,
    user_id: i64,
    id: i64,
    phone: &Phone,
) -> Result<PairingCode, ApiError> {
    let account_id = match prepare_linking(ctx, user_id, id).await? {
        CampaignLink::Connected => {
            return Err(ApiError::Conflict {
                code: "WHATSAPP_ALREADY_CONNECTED",
                message: "WhatsApp is already connected".into(),
            })
        }
        CampaignLink::Linking(account_id) => account_id,
    };
    pairing::request(&ctx.db, account_id, phone.as_str()).await?;
    // Names the campaign and its number: the session links for both.
    super::nudge(ctx, id, CommandKind::Open).await;
    let deadline = Instant::now() + LINK_WAIT;
    loop {
        let now = campaigns::find_owned(&ctx.db, id, user_id).await?.ok_or_else(|| ApiError::not_found("Campaign"))?;
        if now.is_connected {
            return Err(ApiError::Conflict {
                code: "WHATSAPP_ALREADY_CONNECTED",
                message: "WhatsApp is already connected".into(),
            });
        }
        match pairing::current(&ctx.db, account_id).await? {
            Some(pairing::Pairing { phone: asked, code: Some(code), expires_at: Some(expires_at) })
                if asked == phone.as_str() =>
            {
                return Ok(PairingCode { code, expires_at })
            }
            Some(_) => {}
            // The sender gave up on it (it says why in an error_update).
            None => {
                return Err(ApiError::Unavailable("WhatsApp Web could not show a pairing code; try the QR code".into()))
            }
        }
        if Instant::now() >= deadline {
            return Err(ApiError::Unavailable(
                "WhatsApp Web is still starting; the pairing code will arrive over the WebSocket".into(),
            ));
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}
