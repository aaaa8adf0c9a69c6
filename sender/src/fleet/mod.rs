//! The fleet side of a sender: which sessions it runs, taking work from the
//! queues, keeping its leases alive, taking over orphaned campaigns, and
//! draining on SIGTERM.
//!
//! A session belongs to a WhatsApp account and serves all its campaigns.
//! Ownership is decided in MySQL (a lease per account); SQS only carries
//! nudges. A sender runs a session only while it holds that session's lease.

mod consumer;
pub mod queue_gone;
mod upkeep;

use std::{collections::HashMap, sync::Arc, time::Duration};

use shared::{
    queue::{Command, CommandKind},
    repo::{
        session_leases::{self, Lease},
        whatsapp_accounts::{self, AccountStatus},
    },
};
use tokio::sync::{watch, Mutex, Notify};

use crate::{
    context::SenderContext,
    session::{self, Idleness, Nudge, SessionHandle},
};

pub struct Fleet {
    ctx: Arc<SenderContext>,
    /// By WhatsApp account id.
    sessions: Mutex<HashMap<i64, SessionHandle>>,
    draining: watch::Sender<bool>,
    /// A session turned idle or busy (see `publish_busy`).
    busy_changed: Arc<Notify>,
}

/// What became of a command.
#[derive(Debug, PartialEq, Eq)]
pub enum Handling {
    /// A session of ours took it (or it needed nothing).
    Done,
    /// Another sender owns the session; the command went to its inbox.
    Forwarded,
    /// No room here (full or draining): leave it for another sender.
    NoRoom,
}

impl Fleet {
    pub fn new(ctx: SenderContext) -> Arc<Self> {
        let (draining, _) = watch::channel(false);
        Arc::new(Self { ctx: Arc::new(ctx), sessions: Mutex::default(), draining, busy_changed: Arc::default() })
    }

    pub fn ctx(&self) -> &SenderContext {
        &self.ctx
    }

    fn is_draining(&self) -> bool {
        *self.draining.borrow()
    }

    /// Slots a new session could have: free ones, and those of idle
    /// sessions that would close for it.
    async fn room(&self) -> usize {
        if self.is_draining() {
            return 0;
        }
        self.ctx.settings.max_sessions.saturating_sub(self.busy_count().await)
    }

    async fn has_room(&self) -> bool {
        self.room().await > 0
    }

    /// Sessions that cannot make room: linking, or serving a campaign.
    pub async fn busy_count(&self) -> usize {
        self.sessions.lock().await.values().filter(|handle| handle.idle_since().is_none()).count()
    }

    /// Tell the fleet (the API's "queued" answer) how many slots are busy.
    async fn publish_busy(&self) {
        let busy = self.busy_count().await as i32;
        if let Err(err) = session_leases::set_busy(&self.ctx.db, self.ctx.sender_id(), busy).await {
            tracing::warn!(error = %err, "could not publish the busy sessions");
        }
    }

    /// A slot for one more session: a free one, or the one the longest-idle
    /// session gives up (it closes, its login saved). A session that
    /// serves a running campaign or is linking is never closed for this.
    async fn make_room(&self) -> bool {
        if self.is_draining() {
            return false;
        }
        let max = self.ctx.settings.max_sessions;
        let idlest = {
            let sessions = self.sessions.lock().await;
            if sessions.len() < max {
                return true;
            }
            let idle = sessions.iter().filter_map(|(account, handle)| Some((handle.idle_since()?, *account)));
            let Some((_, account_id)) = idle.min() else { return false };
            sessions[&account_id].nudge(Nudge::Evict);
            account_id
        };
        tracing::info!(account.id = idlest, "closing the longest-idle session to make room");
        let deadline = tokio::time::Instant::now() + EVICTION_PATIENCE;
        while tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(100)).await;
            let sessions = self.sessions.lock().await;
            if sessions.len() < max {
                return true;
            }
            // It took up work meanwhile: it stays.
            if sessions.get(&idlest).is_some_and(|handle| handle.idle_since().is_none()) {
                return false;
            }
        }
        false
    }

    /// Run until `shutdown` resolves (SIGTERM), then drain and retire.
    pub async fn run(self: Arc<Self>, shutdown: impl std::future::Future<Output = ()>) {
        tracing::info!(sender = self.ctx.sender_id(), inbox = %self.ctx.inbox_url, "sender running");
        let tasks = [
            tokio::spawn(consumer::run_inbox(self.clone())),
            tokio::spawn(consumer::run_shared(self.clone())),
            tokio::spawn(upkeep::run(self.clone())),
            tokio::spawn(upkeep::publish_busy_on_change(self.clone())),
            tokio::spawn(crate::ops::memory::run(self.clone())),
            tokio::spawn(crate::ops::server::run(self.clone())),
        ];
        shutdown.await;
        tracing::info!("SIGTERM: draining");
        self.draining.send_replace(true);
        let grace = self.ctx.settings.shutdown_grace;
        if tokio::time::timeout(grace, self.drain()).await.is_err() {
            tracing::warn!(?grace, "drain did not finish in time");
        }
        for task in tasks {
            task.abort();
        }
        self.ctx.retire().await;
        tracing::info!("sender retired");
    }

    /// Ask every session to stop at a safe point (between two messages),
    /// snapshot, release its lease and re-offer its account.
    async fn drain(&self) {
        let handles: Vec<SessionHandle> = self.sessions.lock().await.drain().map(|(_, handle)| handle).collect();
        let waits = handles.into_iter().map(|handle| async move {
            handle.nudge(Nudge::Drain);
            handle.finished().await;
        });
        futures_util::future::join_all(waits).await;
    }

    /// Drain every session (snapshot, release the lease, re-offer the
    /// campaign) while this sender stays open: they start again, here or on
    /// another sender, on fresh browsers. For the memory watch.
    pub async fn recycle_sessions(&self) {
        self.drain().await;
    }

    /// Act on a command: nudge our session of the account it concerns,
    /// start one if the lease can be had, or pass the command to the sender
    /// that owns it.
    #[tracing::instrument(skip(self), fields(campaign.id = command.campaign_id, account.id = command.account_id, kind = ?command.kind))]
    pub async fn handle(self: &Arc<Self>, command: &Command) -> anyhow::Result<Handling> {
        let account_id = match (command.account_id, command.campaign_id) {
            (Some(account_id), _) => account_id,
            (None, Some(campaign_id)) => match whatsapp_accounts::of_campaign(&self.ctx.db, campaign_id).await? {
                Some(account_id) => account_id,
                // No number to send from: nothing for a session to do.
                None => return Ok(Handling::Done),
            },
            (None, None) => return Ok(Handling::Done),
        };
        if let Some(handle) = self.sessions.lock().await.get(&account_id) {
            handle.nudge(Nudge::Command(command.kind));
            return Ok(Handling::Done);
        }
        match command.kind {
            // The database already says the campaign is detached or gone.
            CommandKind::Cleanup => return Ok(Handling::Done),
            // A link attempt that expired (or was linked) while it waited.
            CommandKind::Open if !self.still_linking(account_id).await? => return Ok(Handling::Done),
            CommandKind::LogOut if !self.has_saved_login(account_id).await? => {
                session_leases::delete(&self.ctx.db, account_id).await?;
                return Ok(Handling::Done);
            }
            _ => {}
        }
        if !self.make_room().await {
            return Ok(Handling::NoRoom);
        }
        match self.claim(account_id).await? {
            Some(lease) => {
                self.start_session(lease, command.kind).await;
                Ok(Handling::Done)
            }
            None => self.forward(command, account_id).await,
        }
    }

    async fn still_linking(&self, account_id: i64) -> anyhow::Result<bool> {
        let account = whatsapp_accounts::find(&self.ctx.db, account_id).await?;
        Ok(account.is_some_and(|account| account.status == AccountStatus::Linking))
    }

    /// Whether someone runs the account's session or a login is saved:
    /// otherwise there is no device to log out.
    async fn has_saved_login(&self, account_id: i64) -> anyhow::Result<bool> {
        let lease = session_leases::find(&self.ctx.db, account_id).await?;
        Ok(lease.is_some_and(|lease| lease.snapshot_key.is_some() || lease.expires_at > chrono::Utc::now()))
    }

    async fn claim(&self, account_id: i64) -> anyhow::Result<Option<Lease>> {
        let ctx = &self.ctx;
        Ok(session_leases::claim(&ctx.db, account_id, ctx.sender_id(), &ctx.inbox_url, ctx.settings.lease_ttl).await?)
    }

    async fn forward(&self, command: &Command, account_id: i64) -> anyhow::Result<Handling> {
        match session_leases::live_owner(&self.ctx.db, account_id).await? {
            Some(owner) if owner.sender_id != self.ctx.sender_id() => {
                let command = command.clone().via(Some(account_id));
                self.ctx.queues.send(&owner.inbox_url, &command).await?;
                Ok(Handling::Forwarded)
            }
            // The lease lapsed between the claim and now: try again later.
            _ => Ok(Handling::NoRoom),
        }
    }

    async fn start_session(self: &Arc<Self>, lease: Lease, reason: CommandKind) {
        let account_id = lease.account_id;
        let fleet = self.clone();
        let idleness = Idleness::new(self.busy_changed.clone());
        let handle = session::spawn(self.ctx.clone(), lease, reason, idleness, move |session_id| {
            // A session removes itself when it ends, whatever the reason —
            // unless a newer session of the account has taken its place.
            tokio::spawn(async move {
                {
                    let mut sessions = fleet.sessions.lock().await;
                    if sessions.get(&account_id).is_some_and(|current| current.id() == session_id) {
                        sessions.remove(&account_id);
                    }
                }
                fleet.publish_busy().await;
            });
        });
        self.sessions.lock().await.insert(account_id, handle);
        self.publish_busy().await;
    }

    pub async fn session_count(&self) -> usize {
        self.sessions.lock().await.len()
    }
}

/// How long a consumer waits for messages in one receive (SQS long polling
/// hands a message out as soon as it arrives).
const LONG_POLL: Duration = Duration::from_secs(2);

/// How long a command waits for an idle session to close for it.
const EVICTION_PATIENCE: Duration = Duration::from_secs(15);
