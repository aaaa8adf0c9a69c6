//! Drift is loud: when WhatsApp Web changed under the driver (no alternative
//! of a hook appeared, or the UI is not English), the campaign is PAUSED
//! with a reason naming the hook, the frontend gets an `error_update`, and a
//! screenshot and an outline of the page go to S3 under
//! `diagnostics/{campaignId}/…` for the operator — rather than failing
//! every remaining recipient the same way.
//!
//! Diagnostics never hold message text, contact names or numbers: the
//! screenshot is taken with every text hidden, the outline keeps only tags,
//! ids, `data-*` and `aria-*` attributes with free text redacted.

use chrono::Utc;
use serde_json::json;
use shared::campaigns::run::{self, Halt};

use super::actor::Actor;
use crate::driver::{selectors, SendError};

/// Saves diagnostics (best effort), pauses the campaign with the reason and
/// tells the frontend.
pub async fn stop_campaign(actor: &Actor, campaign_id: i64, err: &SendError) -> anyhow::Result<()> {
    let hook = match err {
        SendError::HookMissing { hook, .. } => *hook,
        _ => "language",
    };
    let folder = format!("diagnostics/{campaign_id}/{}-{hook}", Utc::now().format("%Y%m%dT%H%M%S%.3fZ"));
    let saved = match save_diagnostics(actor, &folder, hook, err).await {
        Ok(()) => format!(" Diagnostics: {folder}/."),
        Err(problem) => {
            tracing::warn!(campaign.id = campaign_id, hook, error = %problem, "could not save drift diagnostics");
            String::new()
        }
    };
    let reason = match err {
        SendError::HookMissing { hook, .. } => {
            let purpose = selectors::by_name(hook).map_or("", |h| h.purpose);
            format!(
                "WhatsApp Web changed: the \"{hook}\" element ({purpose}) was not found, so sending is paused. \
                 Run `sender probe` and add the new markup to the driver's selectors.{saved}"
            )
        }
        other => format!("{other}; sending is paused.{saved}"),
    };
    tracing::error!(campaign.id = campaign_id, hook, "WhatsApp Web drifted; campaign paused");
    run::pause_with_reason(&actor.ctx.db, &actor.ctx.pusher, Halt::Campaign(campaign_id), &reason).await?;
    Ok(())
}

async fn save_diagnostics(actor: &Actor, folder: &str, hook: &str, err: &SendError) -> anyhow::Result<()> {
    let whatsapp = actor.whatsapp();
    let diagnostics = whatsapp.diagnostics().await?;
    let storage = &actor.ctx.storage;
    storage.put(&format!("{folder}/screenshot.png"), diagnostics.screenshot, "image/png").await?;
    storage
        .put(&format!("{folder}/outline.txt"), diagnostics.outline.into_bytes(), "text/plain; charset=utf-8")
        .await?;
    let alternatives: Vec<&str> =
        selectors::by_name(hook).map(|h| h.alternatives.iter().map(|a| a.css).collect()).unwrap_or_default();
    let matched: Vec<_> = whatsapp
        .matched_alternatives()
        .into_iter()
        .map(|(hook, index, label)| json!({ "hook": hook, "alternative": index, "label": label }))
        .collect();
    let report = json!({
        "hook": hook,
        "error": err.to_string(),
        "alternativesTried": alternatives,
        "matchedEarlierInThisSession": matched,
        "at": Utc::now().to_rfc3339(),
    });
    storage.put(&format!("{folder}/report.json"), report.to_string().into_bytes(), "application/json").await?;
    Ok(())
}
