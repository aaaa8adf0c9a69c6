//! `POST /api/campaigns/{id}/qr-code`: a campaign whose owner has a linked
//! number sends from it (no QR); otherwise a sender opens the session of a
//! number being linked for it and this answers with the QR it shows — or,
//! when the fleet has no browser free, with the attempt's place in the
//! queue. New QRs (about every 20 s) reach the client as `qr_code` events.

use super::{
    link_queue::{self, Waited},
    numbers::CampaignLink,
    prepare_linking, Queued,
};
use crate::{error::ApiError, qr::QrCodePayload, queue::CommandKind, AppContext};

pub enum QrAnswer {
    Qr(QrCodePayload),
    /// Already linked: nothing to scan.
    Connected,
    /// Waiting for a browser: the QR comes as a `qr_code` event.
    Queued(Queued),
}

pub async fn request_qr(ctx: &AppContext, user_id: i64, id: i64) -> Result<QrAnswer, ApiError> {
    let account_id = match prepare_linking(ctx, user_id, id, None).await? {
        CampaignLink::Connected => return Ok(QrAnswer::Connected),
        CampaignLink::Linking(account_id) => account_id,
    };
    // Names the campaign and its number: the session links for both.
    crate::campaigns::run::nudge(ctx, id, CommandKind::Open).await;
    Ok(match link_queue::wait_for(ctx, account_id, link_queue::qr_shown).await? {
        Waited::Code(qr_code) => QrAnswer::Qr(qr_code),
        Waited::Connected => QrAnswer::Connected,
        Waited::Queued(queued) => QrAnswer::Queued(queued),
    })
}
