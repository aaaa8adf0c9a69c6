//! Taking commands off SQS. Two loops: this sender's inbox (commands for
//! sessions it owns; always read) and the shared sessions queue (new and
//! orphaned sessions; read only while there is room, so a full sender leaves
//! work to the others and the fleet scales on that queue's depth).
//!
//! A message is deleted only once handled. One that cannot be read is left
//! alone: SQS offers it again after the visibility timeout and moves it to
//! the dead-letter queue after a few receives. Nothing in a message can
//! crash the loop.

use std::{sync::Arc, time::Duration};

use shared::queue::{Command, QueueMissing, Received};

use super::{
    queue_gone::{self, AfterMissingQueue},
    Fleet, Handling, LONG_POLL,
};

/// What one receive achieved.
#[derive(Debug, PartialEq, Eq)]
pub enum PollOutcome {
    EmptyQueue,
    /// Messages were received; how many were handled and deleted.
    Handled(usize),
    QueueError,
    /// A queue is gone and may not be recreated: the sender is stopping.
    Stopped,
}

pub async fn run_inbox(fleet: Arc<Fleet>) {
    let url = fleet.ctx().inbox_url.clone();
    loop {
        match poll(&fleet, &url, true).await {
            PollOutcome::QueueError => tokio::time::sleep(Duration::from_secs(1)).await,
            PollOutcome::Stopped => return,
            _ => {}
        }
    }
}

pub async fn run_shared(fleet: Arc<Fleet>) {
    let url = fleet.ctx().queues.sessions_url().to_owned();
    loop {
        if !fleet.has_room().await {
            tokio::time::sleep(Duration::from_millis(500)).await;
            continue;
        }
        match poll(&fleet, &url, false).await {
            PollOutcome::QueueError => tokio::time::sleep(Duration::from_secs(1)).await,
            PollOutcome::Stopped => return,
            _ => {}
        }
    }
}

async fn poll(fleet: &Arc<Fleet>, queue_url: &str, is_inbox: bool) -> PollOutcome {
    let wait = LONG_POLL.as_secs() as i32;
    let messages = match fleet.ctx().queues.receive(queue_url, 10, wait).await {
        Ok(messages) if messages.is_empty() => return PollOutcome::EmptyQueue,
        Ok(messages) => messages,
        Err(err) if QueueMissing::in_error(&err).is_some() => {
            let missing = QueueMissing::in_error(&err).expect("checked");
            return match queue_gone::handle(fleet.ctx(), missing, is_inbox).await {
                AfterMissingQueue::Recreated => PollOutcome::EmptyQueue,
                AfterMissingQueue::RetryLater => PollOutcome::QueueError,
                AfterMissingQueue::Stop => PollOutcome::Stopped,
            };
        }
        Err(err) => {
            // Names the queue: a queue that is gone (a recreated emulator,
            // a deleted stack) shows which one, on every retry.
            tracing::warn!(error = %err, queue = queue_url, "receiving commands failed");
            return PollOutcome::QueueError;
        }
    };
    let mut handled = 0;
    for message in messages {
        if handle_one(fleet, queue_url, is_inbox, &message).await {
            match fleet.ctx().queues.delete(queue_url, &message.receipt_handle).await {
                Ok(()) => handled += 1,
                Err(err) => tracing::warn!(error = %err, "could not delete a handled command"),
            }
        }
    }
    PollOutcome::Handled(handled)
}

/// Whether the message is done with (and may be deleted).
async fn handle_one(fleet: &Arc<Fleet>, queue_url: &str, is_inbox: bool, message: &Received) -> bool {
    let command = match Command::parse(&message.body) {
        Ok(command) => command,
        Err(reason) => {
            tracing::warn!(%reason, receives = message.receive_count, "poison command left for the dead-letter queue");
            return false;
        }
    };
    crate::ops::record_pickup(&command);
    match fleet.handle(&command).await {
        Ok(Handling::Done | Handling::Forwarded) => true,
        Ok(Handling::NoRoom) if is_inbox => {
            // Our inbox, but we cannot take the session any more (draining
            // or full): hand it to the fleet at large.
            let shared = fleet.ctx().queues.sessions_url().to_owned();
            match fleet.ctx().queues.send(&shared, &command).await {
                Ok(()) => true,
                Err(err) => {
                    tracing::warn!(error = %err, queue = queue_url, "could not re-offer a command");
                    false
                }
            }
        }
        Ok(Handling::NoRoom) => false,
        Err(err) => {
            tracing::warn!(error = %err, "handling a command failed; it will be offered again");
            false
        }
    }
}
