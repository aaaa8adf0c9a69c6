//! A session's life: open (restoring a snapshot if the lease names one),
//! then loop — obey nudges, make sure the lease is still ours, re-read the
//! campaign, follow the login (QR, scan, logout), send while RUNNING, pause
//! for the interval — and finally leave things tidy for whoever comes next.

use std::{
    path::PathBuf,
    sync::Arc,
    time::{Duration, Instant},
};

use chrono::Utc;
use shared::{
    domain::Phone,
    qr,
    queue::{Command, CommandKind},
    realtime::CampaignEvent,
    repo::{
        deliveries::{self, SendingCampaign},
        pairing,
        session_leases::{self, Lease},
    },
};
use tokio::sync::mpsc;

use super::{
    governed::{self, Gate},
    replies,
    sending::{self, Step},
    snapshot, Nudge, SessionEnd,
};
use crate::{
    context::SenderContext,
    driver::{profile, DriverError, LoginState, WhatsAppSession},
};

/// How often an idle session looks at its page and its nudges.
const TICK: Duration = Duration::from_secs(1);

/// WhatsApp Web replaces a pairing code about every three minutes
/// (`../shared/WHATSAPP-WEB.md`); the page's renewal is pushed when it comes.
const PAIRING_CODE_LIFETIME: chrono::TimeDelta = chrono::TimeDelta::seconds(180);

pub(super) struct Actor {
    pub ctx: Arc<SenderContext>,
    pub campaign_id: i64,
    pub fencing: i64,
    pub whatsapp: Option<WhatsAppSession>,
    nudges: mpsc::UnboundedReceiver<Nudge>,
    profile_dir: PathBuf,
    login: LoginState,
    logged_in: bool,
    last_qr: Option<String>,
    /// The number whose pairing code the page shows, once this session
    /// asked WhatsApp Web for it.
    pairing_for: Option<String>,
    last_active: Instant,
    /// Where the campaign's attachment was downloaded to, once.
    pub attachment_file: Option<PathBuf>,
    /// Replies handled so far (see `replies`).
    pub inbox: replies::Inbox,
}

pub async fn run(
    ctx: Arc<SenderContext>,
    lease: Lease,
    reason: CommandKind,
    nudges: mpsc::UnboundedReceiver<Nudge>,
) -> SessionEnd {
    let campaign_id = lease.campaign_id;
    tracing::info!(campaign.id = campaign_id, ?reason, fencing = lease.fencing, "session starting");
    let profile_dir = ctx.settings.profile_dir.join(format!("campaign-{campaign_id}"));
    let mut actor = Actor {
        ctx,
        campaign_id,
        fencing: lease.fencing,
        whatsapp: None,
        nudges,
        profile_dir,
        login: LoginState::Loading,
        logged_in: false,
        last_qr: None,
        pairing_for: None,
        last_active: Instant::now(),
        attachment_file: None,
        inbox: replies::Inbox::default(),
    };
    let end = match actor.open(lease.snapshot_key.as_deref()).await {
        Ok(()) => actor.live().await,
        Err(err) => {
            tracing::error!(campaign.id = campaign_id, error = %err, "session could not open");
            // A page the driver cannot work with is the user's to fix: say so.
            if let Some(refused @ (DriverError::UiLanguage(_) | DriverError::BrowserRejected(_))) = err.downcast_ref() {
                let event = CampaignEvent::ErrorUpdate { error: refused.to_string() };
                actor.ctx.pusher.push(campaign_id, &event).await;
            }
            SessionEnd::Failed
        }
    };
    actor.finish(end).await;
    end
}

impl Actor {
    async fn open(&mut self, snapshot_key: Option<&str>) -> anyhow::Result<()> {
        let _ = tokio::fs::remove_dir_all(&self.profile_dir).await;
        tokio::fs::create_dir_all(&self.profile_dir).await?;
        let restored = snapshot::restore(&self.ctx, snapshot_key, &self.profile_dir).await?;
        // Whatever a previous owner left mid-send may have gone out.
        let mut conn = self.ctx.db.acquire().await?;
        let settled = deliveries::settle_interrupted(
            &mut conn,
            self.campaign_id,
            "The sender stopped while sending; outcome unknown",
        )
        .await?;
        drop(conn);
        if settled > 0 {
            tracing::warn!(campaign.id = self.campaign_id, settled, "recipients left mid-send marked UNKNOWN");
        }
        self.whatsapp = Some(self.ctx.launcher.open(&self.profile_dir).await?);
        tracing::info!(campaign.id = self.campaign_id, restored, "WhatsApp Web open");
        Ok(())
    }

    pub fn whatsapp(&self) -> &WhatsAppSession {
        self.whatsapp.as_ref().expect("the browser is open while the session lives")
    }

    async fn live(&mut self) -> SessionEnd {
        loop {
            match self.turn().await {
                Ok(None) => {}
                Ok(Some(end)) => return end,
                Err(err) => {
                    tracing::error!(campaign.id = self.campaign_id, error = %err, "session failed");
                    return SessionEnd::Failed;
                }
            }
        }
    }

    /// One round of the loop; `Some(end)` when the session should end.
    async fn turn(&mut self) -> anyhow::Result<Option<SessionEnd>> {
        if let Some(end) = self.take_nudges() {
            return Ok(Some(end));
        }
        if !session_leases::still_held(&self.ctx.db, self.campaign_id, self.ctx.sender_id(), self.fencing).await? {
            return Ok(Some(SessionEnd::LostLease));
        }
        let Some(campaign) = deliveries::campaign(&self.ctx.db, self.campaign_id).await? else {
            return Ok(Some(SessionEnd::Gone));
        };
        self.follow_login(&campaign).await?;
        if self.logged_in && campaign.status == "RUNNING" {
            self.last_active = Instant::now();
            if governed::check_restriction(self, &campaign).await? {
                return Ok(None);
            }
            // With nobody left the campaign completes: no governor to ask.
            let ticket = match deliveries::open_count(&self.ctx.db, campaign.id).await? {
                0 => None,
                _ => match governed::gate(self, &campaign).await? {
                    Gate::Go(ticket) => Some(ticket),
                    Gate::Wait { until } => return self.wait_until(&campaign, until).await,
                    Gate::Hold { until } => {
                        return self.pause(&campaign, (until - Utc::now()).to_std().unwrap_or_default(), None).await
                    }
                    Gate::Stopped => return Ok(None),
                },
            };
            let step = sending::send_next(self, &campaign).await;
            if let Some(ticket) = ticket {
                governed::settle(self, campaign.id, ticket, &step).await?;
            }
            let pause = ticket.map_or(Duration::ZERO, |t| t.pause);
            return match step? {
                Step::Sent(delivery) => self.pause(&campaign, pause, Some(delivery)).await,
                Step::Failed(_) => self.pause(&campaign, pause, None).await,
                Step::LoggedOut => Ok(None),
                Step::Finished => Ok(Some(SessionEnd::Completed)),
                // PAUSED with the reason: the next turn sees it.
                Step::Stopped => Ok(None),
                Step::LostLease => Ok(Some(SessionEnd::LostLease)),
            };
        }
        if self.last_active.elapsed() > self.ctx.settings.idle_timeout {
            return Ok(Some(SessionEnd::Idle));
        }
        // Idle: wait a tick for the page to change (a scan, a new QR).
        self.login = self.whatsapp().next_login_state(&self.login, TICK).await?;
        Ok(None)
    }

    /// Drain and cleanup end the session; other nudges only mean "look now",
    /// which the loop is about to do.
    fn take_nudges(&mut self) -> Option<SessionEnd> {
        while let Ok(nudge) = self.nudges.try_recv() {
            match nudge {
                Nudge::Drain => return Some(SessionEnd::Drained),
                Nudge::Command(CommandKind::Cleanup) => return Some(SessionEnd::CleanedUp),
                Nudge::Command(_) => {}
            }
        }
        None
    }

    /// React to what the page shows: a new QR is stored and pushed, a scan
    /// connects the campaign (and snapshots the login), a logout pauses it.
    async fn follow_login(&mut self, campaign: &SendingCampaign) -> anyhow::Result<()> {
        self.login = self.whatsapp().login_state().await?;
        match self.login.clone() {
            LoginState::Qr(raw) => {
                if self.logged_in {
                    self.logged_out(campaign).await?;
                }
                if let Some(phone) = &campaign.pairing_phone {
                    return self.start_pairing(phone).await;
                }
                if self.last_qr.as_deref() != Some(raw.as_str()) {
                    deliveries::set_qr(&self.ctx.db, self.campaign_id, &raw).await?;
                    let event = CampaignEvent::QrCode { qr_code: qr::qr_code(&raw)? };
                    self.ctx.pusher.push(self.campaign_id, &event).await;
                    self.last_qr = Some(raw);
                }
            }
            LoginState::PhoneEntry => {
                if self.logged_in {
                    self.logged_out(campaign).await?;
                }
            }
            LoginState::PairingCode(code) => {
                if self.logged_in {
                    self.logged_out(campaign).await?;
                }
                match &campaign.pairing_phone {
                    // A new code (WhatsApp renewed it), or a new request for the same number.
                    Some(phone)
                        if self.pairing_for.as_ref() == Some(phone)
                            && campaign.pairing_code.as_ref() != Some(&code) =>
                    {
                        self.publish_pairing_code(phone, code).await?;
                    }
                    // Already published.
                    Some(phone) if self.pairing_for.as_ref() == Some(phone) => {}
                    // The code on the page is for another number: back to the QR, then ask.
                    Some(_) => {
                        self.pairing_for = None;
                        self.whatsapp().restart().await?;
                    }
                    None => {}
                }
            }
            LoginState::LoggedIn if !self.logged_in => self.logged_in_now().await?,
            LoginState::LoggedIn | LoginState::Loading => {}
        }
        Ok(())
    }

    /// "Link with phone number" for `phone`, from the QR screen. A page that
    /// cannot show a code ends the request, with the reason for the user.
    async fn start_pairing(&mut self, phone: &str) -> anyhow::Result<()> {
        let asked = match Phone::parse(phone) {
            Ok(parsed) => self.whatsapp().request_pairing_code(&parsed).await.map_err(anyhow::Error::from),
            Err(err) => Err(anyhow::anyhow!("{phone} is not a phone number: {err}")),
        };
        match asked {
            Ok(code) => {
                self.pairing_for = Some(phone.to_owned());
                self.publish_pairing_code(phone, code).await
            }
            Err(err) => {
                tracing::error!(campaign.id = self.campaign_id, error = %err, "no pairing code");
                pairing::clear(&self.ctx.db, self.campaign_id).await?;
                let error = format!("WhatsApp Web did not give a pairing code ({err}); scan the QR code instead");
                self.ctx.pusher.push(self.campaign_id, &CampaignEvent::ErrorUpdate { error }).await;
                Ok(())
            }
        }
    }

    /// The page shows `code` for `phone`: stored for the API and pushed.
    async fn publish_pairing_code(&mut self, phone: &str, code: String) -> anyhow::Result<()> {
        let expires_at = Utc::now() + PAIRING_CODE_LIFETIME;
        if pairing::record_code(&self.ctx.db, self.campaign_id, phone, &code, expires_at).await? {
            tracing::info!(campaign.id = self.campaign_id, "pairing code shown");
            self.ctx.pusher.push(self.campaign_id, &CampaignEvent::PairingCode { code, expires_at }).await;
        }
        Ok(())
    }

    async fn logged_in_now(&mut self) -> anyhow::Result<()> {
        self.logged_in = true;
        self.last_qr = None;
        self.pairing_for = None;
        pairing::clear(&self.ctx.db, self.campaign_id).await?;
        self.last_active = Instant::now();
        let session_id = format!("{}:{}", self.ctx.sender_id(), self.campaign_id);
        deliveries::set_connection(&self.ctx.db, self.campaign_id, true, Some(&session_id)).await?;
        let ready =
            CampaignEvent::StatusUpdate { status: "ready".into(), message: "WhatsApp connected successfully".into() };
        self.ctx.pusher.push(self.campaign_id, &ready).await;
        governed::link_account(self).await?;
        // Save the login now, so a takeover after a crash needs no new scan.
        let session = self.whatsapp.take().expect("open session");
        let (packed, reopened) = self.ctx.launcher.snapshot(session).await?;
        self.whatsapp = Some(reopened);
        snapshot::upload(&self.ctx, self.campaign_id, packed).await?;
        tracing::info!(campaign.id = self.campaign_id, "WhatsApp connected; login saved");
        Ok(())
    }

    /// The phone unlinked this device (or WhatsApp banned it): nothing can be
    /// sent until the user scans again.
    async fn logged_out(&mut self, campaign: &SendingCampaign) -> anyhow::Result<()> {
        self.logged_in = false;
        let reason = "WhatsApp was logged out; scan the QR code again to continue";
        deliveries::set_connection(&self.ctx.db, self.campaign_id, false, None).await?;
        if deliveries::pause_with_reason(&self.ctx.db, self.campaign_id, reason).await? {
            tracing::warn!(campaign.id = campaign.id, "logged out mid-campaign; paused");
        }
        self.ctx.pusher.push(self.campaign_id, &CampaignEvent::ErrorUpdate { error: reason.into() }).await;
        self.ctx.storage.delete(&snapshot::key(self.campaign_id)).await?;
        session_leases::set_snapshot(&self.ctx.db, self.campaign_id, None).await?;
        Ok(())
    }

    /// The send governor holds the campaign back until `until`: a long wait
    /// closes the session (the fleet takes the campaign up again when it
    /// ends); a short one passes here, ended early like a pause.
    async fn wait_until(
        &mut self,
        campaign: &SendingCampaign,
        until: chrono::DateTime<Utc>,
    ) -> anyhow::Result<Option<SessionEnd>> {
        let wait = (until - Utc::now()).to_std().unwrap_or_default();
        if wait > self.ctx.settings.wait_close_after {
            return Ok(Some(SessionEnd::Waiting));
        }
        self.pause(campaign, wait, None).await
    }

    /// The pause after a message (the governor's: the interval, jitter,
    /// breaks), ended early by a pause, a cancel, a drain or a cleanup.
    /// Meanwhile the last message's ticks are watched for "delivered".
    async fn pause(
        &mut self,
        campaign: &SendingCampaign,
        interval: Duration,
        mut watching: Option<sending::Delivery>,
    ) -> anyhow::Result<Option<SessionEnd>> {
        let started = Instant::now();
        loop {
            if let Some(delivery) = &watching {
                match sending::check_delivered(self, delivery).await {
                    Ok(true) => watching = None,
                    Ok(false) => {}
                    // Ticks are only watched, never needed: whatever hides
                    // them (a logout shows the QR page) the next turn sees
                    // and handles — a logout pauses the campaign with an
                    // error rather than ending the session.
                    Err(err) => {
                        tracing::debug!(campaign.id = self.campaign_id, error = %err, "stopped watching ticks");
                        watching = None;
                    }
                }
            }
            replies::look(self, campaign).await;
            let remaining = interval.saturating_sub(started.elapsed());
            if remaining.is_zero() {
                return Ok(None);
            }
            match tokio::time::timeout(remaining.min(TICK), self.nudges.recv()).await {
                Ok(Some(Nudge::Drain)) => return Ok(Some(SessionEnd::Drained)),
                Ok(Some(Nudge::Command(CommandKind::Cleanup))) => return Ok(Some(SessionEnd::CleanedUp)),
                Ok(None) => return Ok(Some(SessionEnd::Drained)),
                Ok(Some(Nudge::Command(_))) | Err(_) => {}
            }
            // Pause or cancel take effect now; a new interval at the next message.
            match deliveries::campaign(&self.ctx.db, self.campaign_id).await? {
                Some(now) if now.status == "RUNNING" => {}
                Some(_) => return Ok(None),
                None => return Ok(Some(SessionEnd::Gone)),
            }
        }
    }

    /// Leave things as the next owner (or the user) needs them.
    async fn finish(&mut self, end: SessionEnd) {
        let logged_in = self.logged_in;
        if let Some(session) = self.whatsapp.take() {
            if let Err(err) = session.close().await {
                tracing::warn!(error = %err, "closing the browser failed");
            }
        }
        if let Err(err) = self.hand_over(end, logged_in).await {
            tracing::error!(campaign.id = self.campaign_id, ?end, error = %err, "could not tidy up after the session");
        }
        let _ = tokio::fs::remove_dir_all(&self.profile_dir).await;
        if let Some(file) = &self.attachment_file {
            let _ = tokio::fs::remove_file(file).await;
        }
    }

    async fn hand_over(&self, end: SessionEnd, logged_in: bool) -> anyhow::Result<()> {
        let ctx = &self.ctx;
        match end {
            SessionEnd::Completed | SessionEnd::CleanedUp | SessionEnd::Gone => {
                snapshot::forget_login(ctx, self.campaign_id).await?
            }
            SessionEnd::Drained | SessionEnd::Idle | SessionEnd::Failed | SessionEnd::Waiting => {
                if logged_in {
                    // Closed, the profile is complete on disk: save it again.
                    let dir = self.profile_dir.clone();
                    let packed = tokio::task::spawn_blocking(move || profile::pack_profile(&dir)).await??;
                    snapshot::upload(ctx, self.campaign_id, packed).await?;
                }
                session_leases::release(&ctx.db, self.campaign_id, ctx.sender_id()).await?;
                match end {
                    SessionEnd::Idle => deliveries::set_connection(&ctx.db, self.campaign_id, false, None).await?,
                    SessionEnd::Drained => {
                        // Someone else carries on at once rather than at the next orphan scan.
                        let command = Command::new(CommandKind::TakeOver, self.campaign_id);
                        ctx.queues.send(ctx.queues.sessions_url(), &command).await?;
                    }
                    // A failed session's campaign is retried by the orphan scan,
                    // which paces the retries.
                    _ => {}
                }
            }
            SessionEnd::LostLease => {}
        }
        Ok(())
    }
}
