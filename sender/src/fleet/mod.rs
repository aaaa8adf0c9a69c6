//! The fleet side of a sender: which sessions it runs, taking work from the
//! queues, keeping its leases alive, taking over orphaned campaigns, and
//! draining on SIGTERM.
//!
//! Ownership is decided in MySQL (a lease per campaign); SQS only carries
//! nudges. A sender runs a session only while it holds that session's lease.

mod consumer;
pub mod queue_gone;
mod upkeep;

use std::{collections::HashMap, sync::Arc, time::Duration};

use shared::{
    queue::{Command, CommandKind},
    repo::session_leases::{self, Lease},
};
use tokio::sync::{watch, Mutex};

use crate::{
    context::SenderContext,
    session::{self, Nudge, SessionHandle},
};

pub struct Fleet {
    ctx: Arc<SenderContext>,
    sessions: Mutex<HashMap<i64, SessionHandle>>,
    draining: watch::Sender<bool>,
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
        Arc::new(Self { ctx: Arc::new(ctx), sessions: Mutex::default(), draining })
    }

    pub fn ctx(&self) -> &SenderContext {
        &self.ctx
    }

    fn is_draining(&self) -> bool {
        *self.draining.borrow()
    }

    async fn has_room(&self) -> bool {
        !self.is_draining() && self.sessions.lock().await.len() < self.ctx.settings.max_sessions
    }

    /// Run until `shutdown` resolves (SIGTERM), then drain and retire.
    pub async fn run(self: Arc<Self>, shutdown: impl std::future::Future<Output = ()>) {
        tracing::info!(sender = self.ctx.sender_id(), inbox = %self.ctx.inbox_url, "sender running");
        let tasks = [
            tokio::spawn(consumer::run_inbox(self.clone())),
            tokio::spawn(consumer::run_shared(self.clone())),
            tokio::spawn(upkeep::run(self.clone())),
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
    /// snapshot, release its lease and re-offer its campaign.
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

    /// Act on a command for a campaign: nudge our session, start one if the
    /// lease can be had, or pass the command to the sender that owns it.
    #[tracing::instrument(skip(self), fields(campaign.id = command.campaign_id, kind = ?command.kind))]
    pub async fn handle(self: &Arc<Self>, command: &Command) -> anyhow::Result<Handling> {
        let campaign_id = command.campaign_id;
        if let Some(handle) = self.sessions.lock().await.get(&campaign_id) {
            handle.nudge(Nudge::Command(command.kind));
            return Ok(Handling::Done);
        }
        if command.kind == CommandKind::Cleanup {
            return self.clean_up_unowned(campaign_id).await;
        }
        if !self.has_room().await {
            return Ok(Handling::NoRoom);
        }
        match self.claim(campaign_id).await? {
            Some(lease) => {
                self.start_session(lease, command.kind).await;
                Ok(Handling::Done)
            }
            None => self.forward(command).await,
        }
    }

    async fn claim(&self, campaign_id: i64) -> anyhow::Result<Option<Lease>> {
        let ctx = &self.ctx;
        Ok(session_leases::claim(&ctx.db, campaign_id, ctx.sender_id(), &ctx.inbox_url, ctx.settings.lease_ttl).await?)
    }

    async fn forward(&self, command: &Command) -> anyhow::Result<Handling> {
        match session_leases::live_owner(&self.ctx.db, command.campaign_id).await? {
            Some(owner) if owner.sender_id != self.ctx.sender_id() => {
                self.ctx.queues.send(&owner.inbox_url, command).await?;
                Ok(Handling::Forwarded)
            }
            // The lease lapsed between the claim and now: try again later.
            _ => Ok(Handling::NoRoom),
        }
    }

    /// A cleanup for a session nobody runs: forget its login (snapshot and
    /// lease) unless a live sender owns it, in which case it goes there.
    async fn clean_up_unowned(&self, campaign_id: i64) -> anyhow::Result<Handling> {
        if let Some(owner) = session_leases::live_owner(&self.ctx.db, campaign_id).await? {
            if owner.sender_id != self.ctx.sender_id() {
                let command = Command::new(CommandKind::Cleanup, campaign_id);
                self.ctx.queues.send(&owner.inbox_url, &command).await?;
                return Ok(Handling::Forwarded);
            }
        }
        session::forget_login(&self.ctx, campaign_id).await?;
        Ok(Handling::Done)
    }

    async fn start_session(self: &Arc<Self>, lease: Lease, reason: CommandKind) {
        let campaign_id = lease.campaign_id;
        let fleet = self.clone();
        let handle = session::spawn(self.ctx.clone(), lease, reason, move |session_id| {
            // A session removes itself when it ends, whatever the reason —
            // unless a newer session of the campaign has taken its place.
            tokio::spawn(async move {
                let mut sessions = fleet.sessions.lock().await;
                if sessions.get(&campaign_id).is_some_and(|current| current.id() == session_id) {
                    sessions.remove(&campaign_id);
                }
            });
        });
        self.sessions.lock().await.insert(campaign_id, handle);
    }

    pub async fn session_count(&self) -> usize {
        self.sessions.lock().await.len()
    }
}

/// How long a consumer waits for messages in one receive (SQS long polling
/// hands a message out as soon as it arrives).
const LONG_POLL: Duration = Duration::from_secs(2);
