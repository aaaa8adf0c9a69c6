//! A WhatsApp account's session: open (restoring the saved login if the
//! lease names one), then loop — obey nudges, make sure the lease is still
//! ours, re-read the account, follow the login (QR, scan, logout), serve the
//! account's RUNNING campaigns in turn, pause for the number's pace — and
//! finally leave things tidy for whoever comes next.

use std::{
    collections::HashMap,
    path::PathBuf,
    sync::Arc,
    time::{Duration, Instant},
};

use chrono::Utc;
use shared::{
    campaigns::run::{self, Halt},
    domain::Phone,
    qr,
    queue::{Command, CommandKind},
    realtime::CampaignEvent,
    repo::{
        deliveries::{self, SendingCampaign},
        pairing,
        session_leases::{self, Lease},
        whatsapp_accounts::{self, AccountRow, AccountStatus},
    },
    whatsapp::link_queue,
};
use tokio::sync::mpsc;

use super::{
    governed::{self, Gate},
    numbers, replies,
    sending::{self, Step},
    snapshot, Idleness, Nudge, SessionEnd,
};
use crate::{
    context::SenderContext,
    driver::{profile, DriverError, LoginState, WhatsAppSession},
};

/// How often an idle session looks at its page and its nudges.
const TICK: Duration = Duration::from_secs(1);

/// How often a pause looks at its campaign without being told to.
const LOOK_EVERY: Duration = Duration::from_secs(5);

/// WhatsApp Web replaces a pairing code about every three minutes
/// (`docs/whatsapp-web-evidence.md`); the page's renewal is pushed when it comes.
const PAIRING_CODE_LIFETIME: chrono::TimeDelta = chrono::TimeDelta::seconds(180);

/// How long a removed account's session waits for a restored login to show
/// before it gives up logging the device out (and only forgets the login).
const LOG_OUT_PATIENCE: Duration = Duration::from_secs(60);

pub(super) struct Actor {
    pub ctx: Arc<SenderContext>,
    pub account_id: i64,
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
    opened_at: Instant,
    /// The user removed the account: log the device out and end.
    removing: bool,
    /// Since when the page shows a way to link (QR, pairing code, phone
    /// entry) that nobody used yet: the attempt expires after the link timeout.
    login_screen_since: Option<Instant>,
    /// Published for the fleet: whether this session could make room.
    idleness: Idleness,
    /// The fleet asked for the slot; granted at the next turn if still idle.
    evict_asked: bool,
    /// The campaign served last: the account's campaigns take turns.
    last_served: i64,
    /// Where each campaign's attachment was downloaded to, once.
    pub attachment_files: HashMap<i64, PathBuf>,
    /// Replies handled so far (see `replies`).
    pub inbox: replies::Inbox,
}

pub async fn run(
    ctx: Arc<SenderContext>,
    lease: Lease,
    reason: CommandKind,
    nudges: mpsc::UnboundedReceiver<Nudge>,
    idleness: Idleness,
) -> SessionEnd {
    let account_id = lease.account_id;
    tracing::info!(account.id = account_id, ?reason, fencing = lease.fencing, "session starting");
    let profile_dir = ctx.settings.profile_dir.join(format!("account-{account_id}"));
    let mut actor = Actor {
        ctx,
        account_id,
        fencing: lease.fencing,
        whatsapp: None,
        nudges,
        profile_dir,
        login: LoginState::Loading,
        logged_in: false,
        last_qr: None,
        pairing_for: None,
        last_active: Instant::now(),
        opened_at: Instant::now(),
        removing: reason == CommandKind::LogOut,
        login_screen_since: None,
        idleness,
        evict_asked: false,
        last_served: 0,
        attachment_files: HashMap::new(),
        inbox: replies::Inbox::default(),
    };
    let end = match actor.open(lease.snapshot_key.as_deref()).await {
        Ok(()) => actor.live().await,
        Err(err) => {
            tracing::error!(account.id = account_id, error = %err, "session could not open");
            // A page the driver cannot work with is the user's to fix: say so.
            if let Some(refused @ (DriverError::UiLanguage(_) | DriverError::BrowserRejected(_))) = err.downcast_ref() {
                let event = CampaignEvent::ErrorUpdate { error: refused.to_string() };
                actor.ctx.pusher.push_account(account_id, &event).await;
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
        for campaign_id in whatsapp_accounts::campaigns_of(&self.ctx.db, self.account_id).await? {
            let mut conn = self.ctx.db.acquire().await?;
            let settled = deliveries::settle_interrupted(
                &mut conn,
                campaign_id,
                "The sender stopped while sending; outcome unknown",
            )
            .await?;
            if settled > 0 {
                tracing::warn!(campaign.id = campaign_id, settled, "recipients left mid-send marked UNKNOWN");
            }
        }
        self.whatsapp = Some(self.ctx.launcher.open(&self.profile_dir).await?);
        self.opened_at = Instant::now();
        tracing::info!(account.id = self.account_id, restored, "WhatsApp Web open");
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
                    tracing::error!(account.id = self.account_id, error = %err, "session failed");
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
        // The turn's one read: the account, the lease, the running campaigns.
        let lease = (self.ctx.sender_id(), self.fencing);
        let Some(state) = deliveries::session_state(&self.ctx.db, self.account_id, lease).await? else {
            return Ok(Some(SessionEnd::Gone));
        };
        if !state.held {
            return Ok(Some(SessionEnd::LostLease));
        }
        let (account, running) = (state.account, state.running);
        self.removing |= account.status == AccountStatus::Removed;
        if self.removing {
            return self.remove().await;
        }
        self.follow_login(&account).await?;
        if !self.logged_in {
            self.idleness.set(None);
            self.evict_asked = false;
            if let Some(end) = self.expire_unused_link(&account).await? {
                return Ok(Some(end));
            }
        }
        if self.logged_in {
            numbers::warn_if_relink_due(&self.ctx, &account).await?;
            // Who wrote while no session watched is warm before anyone is sent to.
            if !self.inbox.looked {
                replies::look_for_warm(self).await;
            }
            if running.is_empty() {
                if self.evict_asked {
                    return Ok(Some(SessionEnd::Evicted));
                }
                self.idleness.set(Some(self.idleness.since().unwrap_or(self.last_active)));
            } else {
                self.idleness.set(None);
                self.evict_asked = false;
            }
            if let Some(campaign) = self.next_campaign(&running) {
                self.last_active = Instant::now();
                return self.serve(&campaign, &account).await;
            }
            // Every running campaign waits for the send governor.
            if let Some(until) = running.iter().filter_map(|c| c.waiting_until).min() {
                self.last_active = Instant::now();
                // Someone who wrote meanwhile is sent to at once, whatever
                // holds the strangers back.
                if replies::look_for_warm(self).await {
                    return Ok(None);
                }
                return self.wait_until(until).await;
            }
        }
        if self.last_active.elapsed() > self.ctx.settings.idle_timeout {
            return Ok(Some(SessionEnd::Idle));
        }
        // Idle: wait a tick for the page to change (a scan, a new QR).
        self.login = self.whatsapp().next_login_state(&self.login, TICK).await?;
        Ok(None)
    }

    /// The next campaign to send one message of: after the one served
    /// last, round the account's running campaigns not held back by the
    /// governor.
    fn next_campaign(&self, running: &[SendingCampaign]) -> Option<SendingCampaign> {
        let now = Utc::now();
        let ready: Vec<&SendingCampaign> =
            running.iter().filter(|c| c.waiting_until.is_none_or(|until| until <= now)).collect();
        ready.iter().find(|c| c.id > self.last_served).or_else(|| ready.first()).map(|c| (*c).clone())
    }

    /// One message of `campaign`, its recipient claimed from the governor
    /// first, then the pause after it.
    async fn serve(&mut self, campaign: &SendingCampaign, account: &AccountRow) -> anyhow::Result<Option<SessionEnd>> {
        self.last_served = campaign.id;
        if governed::check_restriction(self, campaign, account).await? {
            return Ok(None);
        }
        let claimed = match governed::claim(self, campaign).await? {
            Gate::Go(claimed) => claimed,
            // Stored on the campaign (or the recipient): the next turn goes on.
            Gate::Skipped | Gate::Wait | Gate::Stopped => return Ok(None),
            Gate::Hold { until } => {
                return self.pause(Some(campaign), (until - Utc::now()).to_std().unwrap_or_default(), None).await
            }
            Gate::Nobody => {
                return self.after(sending::nobody_left(self, campaign).await?, Duration::ZERO, campaign).await
            }
            Gate::Lost => {
                let held =
                    session_leases::still_held(&self.ctx.db, self.account_id, self.ctx.sender_id(), self.fencing)
                        .await?;
                return Ok((!held).then_some(SessionEnd::LostLease));
            }
        };
        let pause = claimed.ticket.pause;
        let step = sending::send(self, campaign, claimed).await?;
        self.after(step, pause, campaign).await
    }

    async fn after(
        &mut self,
        step: Step,
        pause: Duration,
        campaign: &SendingCampaign,
    ) -> anyhow::Result<Option<SessionEnd>> {
        match step {
            Step::Sent(delivery) => self.pause(Some(campaign), pause, Some(delivery)).await,
            Step::Failed => self.pause(Some(campaign), pause, None).await,
            // The login handling, the next campaign, or the reason the
            // campaign was paused with: the next turn sees to it.
            Step::LoggedOut | Step::Finished | Step::Stopped | Step::Deferred | Step::Waiting => Ok(None),
            Step::LostLease => Ok(Some(SessionEnd::LostLease)),
        }
    }

    /// Drain ends the session; a log-out request and an eviction are
    /// remembered; other nudges only mean "look now", which the loop is
    /// about to do.
    fn take_nudges(&mut self) -> Option<SessionEnd> {
        while let Ok(nudge) = self.nudges.try_recv() {
            match nudge {
                Nudge::Drain => return Some(SessionEnd::Drained),
                Nudge::Evict => self.evict_asked = true,
                Nudge::Command(CommandKind::LogOut) => self.removing = true,
                // Someone asked for the code again: the attempt is fresh.
                Nudge::Command(CommandKind::Open) => {
                    self.login_screen_since = self.login_screen_since.map(|_| Instant::now())
                }
                Nudge::Command(_) => {}
            }
        }
        None
    }

    /// A link nobody used within the link timeout — counted from when the
    /// page first offered it or from the latest request, whichever is later
    /// — ends the session and frees its slot; a number still LINKING is
    /// DISCONNECTED with the reason.
    async fn expire_unused_link(&mut self, account: &AccountRow) -> anyhow::Result<Option<SessionEnd>> {
        let offering = matches!(self.login, LoginState::Qr(_) | LoginState::PairingCode(_) | LoginState::PhoneEntry);
        if !offering {
            return Ok(None);
        }
        let since = *self.login_screen_since.get_or_insert_with(Instant::now);
        let asked_ago = account.linking_requested_at.and_then(|at| (Utc::now() - at).to_std().ok());
        let waited = asked_ago.map_or(since.elapsed(), |asked_ago| since.elapsed().min(asked_ago));
        let timeout = self.ctx.settings.linking.timeout;
        if waited < timeout {
            return Ok(None);
        }
        if account.status == AccountStatus::Linking {
            let reason = link_queue::expired_reason(timeout);
            link_queue::expire(&self.ctx.db, &self.ctx.pusher, self.account_id, &reason).await?;
        }
        Ok(Some(SessionEnd::LinkExpired))
    }

    /// React to what the page shows: a new QR is stored and pushed, a scan
    /// connects the account (and saves the login), a logout stops its
    /// campaigns.
    async fn follow_login(&mut self, account: &AccountRow) -> anyhow::Result<()> {
        self.login = self.whatsapp().login_state().await?;
        let linked_before = self.logged_in || account.status == AccountStatus::Connected;
        match self.login.clone() {
            LoginState::Qr(raw) => {
                if linked_before {
                    self.logged_out().await?;
                }
                if let Some(phone) = &account.pairing_phone {
                    return self.start_pairing(phone).await;
                }
                if self.last_qr.as_deref() != Some(raw.as_str()) {
                    whatsapp_accounts::set_qr(&self.ctx.db, self.account_id, &raw).await?;
                    let event = CampaignEvent::QrCode { qr_code: qr::qr_code(&raw)? };
                    self.ctx.pusher.push_account(self.account_id, &event).await;
                    self.last_qr = Some(raw);
                }
            }
            LoginState::PhoneEntry => {
                if linked_before {
                    self.logged_out().await?;
                }
            }
            LoginState::PairingCode(code) => {
                if linked_before {
                    self.logged_out().await?;
                }
                match &account.pairing_phone {
                    // A new code (WhatsApp renewed it), or a new request for the same number.
                    Some(phone)
                        if self.pairing_for.as_ref() == Some(phone) && account.pairing_code.as_ref() != Some(&code) =>
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
                tracing::error!(account.id = self.account_id, error = %err, "no pairing code");
                pairing::clear(&self.ctx.db, self.account_id).await?;
                let error = format!("WhatsApp Web did not give a pairing code ({err}); scan the QR code instead");
                self.ctx.pusher.push_account(self.account_id, &CampaignEvent::ErrorUpdate { error }).await;
                Ok(())
            }
        }
    }

    /// The page shows `code` for `phone`: stored for the API and pushed.
    async fn publish_pairing_code(&mut self, phone: &str, code: String) -> anyhow::Result<()> {
        let expires_at = Utc::now() + PAIRING_CODE_LIFETIME;
        if pairing::record_code(&self.ctx.db, self.account_id, phone, &code, expires_at).await? {
            tracing::info!(account.id = self.account_id, "pairing code shown");
            let event = CampaignEvent::PairingCode { code, expires_at };
            self.ctx.pusher.push_account(self.account_id, &event).await;
        }
        Ok(())
    }

    /// Logged in (a scan, or a restored login): the account learns its
    /// number, is CONNECTED for all its campaigns, and the login is saved.
    async fn logged_in_now(&mut self) -> anyhow::Result<()> {
        // A scan or a pairing code needs the phone: it was active just now.
        if self.last_qr.is_some() || self.pairing_for.is_some() {
            whatsapp_accounts::record_phone_seen(&self.ctx.db, self.account_id).await?;
        }
        self.logged_in = true;
        self.login_screen_since = None;
        self.last_qr = None;
        self.pairing_for = None;
        self.last_active = Instant::now();
        governed::bind_number(self).await?;
        let session_id = format!("{}:{}", self.ctx.sender_id(), self.account_id);
        whatsapp_accounts::set_status(&self.ctx.db, self.account_id, AccountStatus::Connected, None, Some(&session_id))
            .await?;
        let ready =
            CampaignEvent::StatusUpdate { status: "ready".into(), message: "WhatsApp connected successfully".into() };
        self.ctx.pusher.push_account(self.account_id, &ready).await;
        // Save the login now, so a takeover after a crash needs no new scan.
        let session = self.whatsapp.take().expect("open session");
        let (packed, reopened) = self.ctx.launcher.snapshot(session).await?;
        self.whatsapp = Some(reopened);
        snapshot::upload(&self.ctx, self.account_id, packed).await?;
        tracing::info!(account.id = self.account_id, "WhatsApp connected; login saved");
        Ok(())
    }

    /// The phone unlinked this device (or WhatsApp banned it): nothing can be
    /// sent from the number until the user links it again; every running
    /// campaign of it pauses with the reason.
    async fn logged_out(&mut self) -> anyhow::Result<()> {
        self.logged_in = false;
        let reason = "WhatsApp was logged out; scan the QR code again to continue";
        let ctx = &self.ctx;
        whatsapp_accounts::set_status(&ctx.db, self.account_id, AccountStatus::Disconnected, Some(reason), None)
            .await?;
        run::pause_with_reason(&ctx.db, &ctx.pusher, Halt::Number(self.account_id), reason).await?;
        snapshot::forget(ctx, self.account_id).await?;
        Ok(())
    }

    /// The user removed the account: log the device out on WhatsApp, so the
    /// phone's Linked devices no longer lists it, then forget the login. A
    /// login that does not show within a while is only forgotten.
    async fn remove(&mut self) -> anyhow::Result<Option<SessionEnd>> {
        self.login = self.whatsapp().login_state().await?;
        match &self.login {
            LoginState::LoggedIn => match self.whatsapp().log_out().await {
                Ok(()) => tracing::info!(account.id = self.account_id, "device logged out on WhatsApp"),
                // The number is gone from here either way; the user is told
                // to remove the device on the phone.
                Err(err) => {
                    tracing::error!(account.id = self.account_id, error = %err, "could not log the device out");
                    let reason = format!(
                        "The WhatsApp number was removed, but its device could not be logged out ({err}); \
                         remove it on the phone: WhatsApp › Linked devices"
                    );
                    whatsapp_accounts::set_status(
                        &self.ctx.db,
                        self.account_id,
                        AccountStatus::Removed,
                        Some(&reason),
                        None,
                    )
                    .await?;
                    let event = CampaignEvent::ErrorUpdate { error: reason };
                    self.ctx.pusher.push_account(self.account_id, &event).await;
                }
            },
            LoginState::Loading if self.opened_at.elapsed() < LOG_OUT_PATIENCE => {
                self.login = self.whatsapp().next_login_state(&self.login, TICK).await?;
                return Ok(None);
            }
            _ => tracing::warn!(account.id = self.account_id, "no login to log out; forgetting it"),
        }
        self.logged_in = false;
        Ok(Some(SessionEnd::Removed))
    }

    /// The governor holds every running campaign back until `until`: a long
    /// wait closes the session (the fleet takes the account up again when it
    /// ends); a short one passes here, ended early like a pause.
    async fn wait_until(&mut self, until: chrono::DateTime<Utc>) -> anyhow::Result<Option<SessionEnd>> {
        let wait = (until - Utc::now()).to_std().unwrap_or_default();
        if wait > self.ctx.settings.wait_close_after {
            return Ok(Some(SessionEnd::Waiting));
        }
        self.pause(None, wait, None).await
    }

    /// The pause after a message (the number's: the interval, jitter,
    /// breaks), ended early by a pause or cancel of `campaign`, a drain or a
    /// nudge. Meanwhile the last message's ticks are watched for
    /// "delivered", and replies are looked for.
    async fn pause(
        &mut self,
        campaign: Option<&SendingCampaign>,
        interval: Duration,
        mut watching: Option<sending::Delivery>,
    ) -> anyhow::Result<Option<SessionEnd>> {
        let started = Instant::now();
        let (mut last_look, mut told) = (Instant::now(), false);
        loop {
            if let Some(delivery) = &mut watching {
                match sending::check_delivered(self, delivery).await {
                    Ok(true) => watching = None,
                    Ok(false) => {}
                    // Ticks are only watched, never needed: whatever hides
                    // them (a logout shows the QR page) the next turn sees
                    // and handles — a logout pauses the campaigns with an
                    // error rather than ending the session.
                    Err(err) => {
                        tracing::debug!(account.id = self.account_id, error = %err, "stopped watching ticks");
                        watching = None;
                    }
                }
            }
            if let Some(campaign) = campaign {
                replies::look(self, campaign).await;
            }
            let remaining = interval.saturating_sub(started.elapsed());
            if remaining.is_zero() {
                return Ok(None);
            }
            match tokio::time::timeout(remaining.min(TICK), self.nudges.recv()).await {
                Ok(Some(Nudge::Drain)) | Ok(None) => return Ok(Some(SessionEnd::Drained)),
                // Only an idle session gives its slot up: seen at the next turn.
                Ok(Some(Nudge::Evict)) => {
                    self.evict_asked = true;
                    if campaign.is_none() {
                        return Ok(None);
                    }
                }
                Ok(Some(Nudge::Command(CommandKind::LogOut))) => {
                    self.removing = true;
                    return Ok(None);
                }
                // Waiting, not pacing: a started campaign may be free to go.
                Ok(Some(Nudge::Command(_))) if campaign.is_none() => return Ok(None),
                // A pause or a cancel comes as a command: looked at now.
                Ok(Some(Nudge::Command(_))) => told = true,
                Err(_) => {}
            }
            // Pause or cancel take effect now when told, or within a few
            // seconds should the command be lost (the next claim refuses a
            // stopped campaign anyway); a new interval at the next message.
            if let Some(campaign) = campaign.filter(|_| told || last_look.elapsed() >= LOOK_EVERY) {
                (last_look, told) = (Instant::now(), false);
                match deliveries::campaign(&self.ctx.db, campaign.id).await? {
                    Some(now) if now.status.is_running() && now.whatsapp_account_id == Some(self.account_id) => {}
                    _ => return Ok(None),
                }
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
            tracing::error!(account.id = self.account_id, ?end, error = %err, "could not tidy up after the session");
        }
        let _ = tokio::fs::remove_dir_all(&self.profile_dir).await;
        for file in self.attachment_files.values() {
            let _ = tokio::fs::remove_file(file).await;
        }
    }

    async fn hand_over(&self, end: SessionEnd, logged_in: bool) -> anyhow::Result<()> {
        let ctx = &self.ctx;
        match end {
            SessionEnd::Removed | SessionEnd::Gone => snapshot::forget_login(ctx, self.account_id).await?,
            SessionEnd::Drained
            | SessionEnd::Idle
            | SessionEnd::Evicted
            | SessionEnd::LinkExpired
            | SessionEnd::Failed
            | SessionEnd::Waiting => {
                if logged_in {
                    // Closed, the profile is complete on disk: save it again.
                    let dir = self.profile_dir.clone();
                    let packed = tokio::task::spawn_blocking(move || profile::pack_profile(&dir)).await??;
                    snapshot::upload(ctx, self.account_id, packed).await?;
                }
                session_leases::release(&ctx.db, self.account_id, ctx.sender_id()).await?;
                if end == SessionEnd::Drained {
                    // Someone else carries on at once rather than at the next orphan scan.
                    let command = Command::for_account(CommandKind::TakeOver, self.account_id);
                    ctx.queues.send(ctx.queues.sessions_url(), &command).await?;
                }
                // A failed session's account is retried by the orphan scan,
                // which paces the retries.
            }
            SessionEnd::LostLease => {}
        }
        Ok(())
    }
}
