//! `POST /api/campaigns/{id}/qr-code`: a campaign whose owner has a linked
//! number sends from it (no QR); otherwise a sender opens the session of a
//! number being linked for it and this answers with the QR it shows. New
//! QRs (about every 20 s) reach the client as `qr_code` events.

use std::time::{Duration, Instant};

use super::{
    accounts::{CampaignLink, LINK_WAIT},
    prepare_linking,
};
use crate::{
    error::ApiError,
    qr::{self, QrCodePayload},
    queue::CommandKind,
    repo::campaigns,
    AppContext,
};

pub enum QrAnswer {
    Qr(QrCodePayload),
    /// Already linked: nothing to scan.
    Connected,
}

pub async fn request_qr(ctx: &AppContext, user_id: i64, id: i64) -> Result<QrAnswer, ApiError> {
    if let CampaignLink::Connected = prepare_linking(ctx, user_id, id).await? {
        return Ok(QrAnswer::Connected);
    }
    // Names the campaign and its number: the session links for both.
    super::nudge(ctx, id, CommandKind::Open).await;
    let deadline = Instant::now() + LINK_WAIT;
    loop {
        let now = campaigns::find_owned(&ctx.db, id, user_id).await?.ok_or_else(|| ApiError::not_found("Campaign"))?;
        if now.is_connected {
            return Ok(QrAnswer::Connected);
        }
        if let Some(raw) = now.qr_code.filter(|raw| !raw.is_empty()) {
            return Ok(QrAnswer::Qr(qr::qr_code(&raw).map_err(ApiError::internal)?));
        }
        if Instant::now() >= deadline {
            return Err(ApiError::Unavailable(
                "WhatsApp Web is still starting; the QR code will arrive over the WebSocket".into(),
            ));
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}
