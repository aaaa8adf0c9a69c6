//! One WhatsApp account's session, run as its own task (an actor): it owns
//! the browser, reacts to nudges from the fleet, and sends the account's
//! RUNNING campaigns in turn. The database says what to do; nudges only say
//! "look now".

mod actor;
mod drift;
mod governed;
mod numbers;
mod personal;
mod receipts;
mod replies;
mod sending;
mod snapshot;

use std::{
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, Mutex,
    },
    time::Instant,
};

use shared::{queue::CommandKind, repo::session_leases::Lease};
use tokio::{
    sync::{mpsc, Notify},
    task::JoinHandle,
};

use crate::context::SenderContext;

pub use snapshot::key as snapshot_key;

/// What the fleet may tell a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nudge {
    Command(CommandKind),
    /// The sender is shutting down: stop at a safe point and hand over.
    Drain,
    /// The fleet needs the slot: close if still idle (see [`Idleness`]).
    Evict,
}

/// Whether a session could close to make room for another: since when it
/// has been logged in, its login saved, with no campaign of it running.
/// Linking sessions and those serving a campaign are never idle.
#[derive(Debug, Clone)]
pub struct Idleness {
    since: Arc<Mutex<Option<Instant>>>,
    /// Told when the session turns idle or busy: the fleet republishes its
    /// busy count at once, not at the next heartbeat.
    turned: Arc<Notify>,
}

impl Idleness {
    pub fn new(turned: Arc<Notify>) -> Self {
        Self { since: Arc::default(), turned }
    }

    fn set(&self, since: Option<Instant>) {
        let mut current = self.since.lock().expect("idleness lock");
        let turned = current.is_some() != since.is_some();
        *current = since;
        if turned {
            self.turned.notify_one();
        }
    }

    pub fn since(&self) -> Option<Instant> {
        *self.since.lock().expect("idleness lock")
    }
}

/// Why a session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionEnd {
    /// The user removed the account: logged out on WhatsApp, login forgotten.
    Removed,
    Drained,
    Idle,
    /// Closed while idle to give its slot to another account.
    Evicted,
    /// Nobody scanned its QR (or typed its pairing code) in time.
    LinkExpired,
    /// The send governor holds every running campaign back for long (a
    /// cap, sending hours): the browser closes, the lease is released, and
    /// the fleet takes the account up again when the wait ends.
    Waiting,
    /// The account's row is gone (its owner was deleted).
    Gone,
    /// Another sender holds the lease now; this one touches nothing more.
    LostLease,
    Failed,
}

pub struct SessionHandle {
    id: u64,
    nudges: mpsc::UnboundedSender<Nudge>,
    task: JoinHandle<()>,
    idleness: Idleness,
}

impl SessionHandle {
    pub fn id(&self) -> u64 {
        self.id
    }

    /// Since when the session could close to make room, if it could.
    pub fn idle_since(&self) -> Option<Instant> {
        self.idleness.since()
    }

    pub fn nudge(&self, nudge: Nudge) {
        // A session that already ended has nothing left to do with it.
        let _ = self.nudges.send(nudge);
    }

    pub async fn finished(self) {
        let _ = self.task.await;
    }
}

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// Start a session for a claimed lease; `on_end(id)` runs when it ends.
pub fn spawn(
    ctx: Arc<SenderContext>,
    lease: Lease,
    reason: CommandKind,
    idleness: Idleness,
    on_end: impl FnOnce(u64) + Send + 'static,
) -> SessionHandle {
    let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
    let (nudges, inbox) = mpsc::unbounded_channel();
    let published = idleness.clone();
    let task = tokio::spawn(async move {
        let account_id = lease.account_id;
        let end = actor::run(ctx, lease, reason, inbox, published).await;
        tracing::info!(account.id = account_id, ?end, "session ended");
        on_end(id);
    });
    SessionHandle { id, nudges, task, idleness }
}
