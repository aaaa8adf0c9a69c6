//! A queue this sender reads turned out to be gone (SQS: "no such queue").
//! With `QUEUES_CREATE=auto` (an emulator) the queue is created again —
//! the shared sessions queue as aws-init makes it, this sender's inbox as
//! it was made at start — and the loop carries on. With `never` (AWS, where
//! the queues belong to CloudFormation) one error names the queue, and the
//! sender drains and exits non-zero, so ECS (or whoever runs it) sees a
//! failed task instead of a sender that polls a missing queue forever.

use std::sync::atomic::{AtomicBool, Ordering};

use shared::{
    config::QueueCreation,
    queue::{queue_name, QueueMissing},
};

use crate::context::SenderContext;

/// The exit code of a sender stopped by a missing queue.
pub const EXIT_CODE: i32 = 3;

static STOPPING: AtomicBool = AtomicBool::new(false);

/// What the consumer loop does next.
#[derive(Debug, PartialEq, Eq)]
pub enum AfterMissingQueue {
    /// The queue exists again: poll on.
    Recreated,
    /// Recreating failed (the emulator is still down?): poll again later.
    RetryLater,
    /// The sender is stopping: leave the loop.
    Stop,
}

pub async fn handle(ctx: &SenderContext, missing: &QueueMissing, is_inbox: bool) -> AfterMissingQueue {
    if ctx.queues.creation() == QueueCreation::Never {
        stop(missing);
        return AfterMissingQueue::Stop;
    }
    let recreated = if is_inbox { recreate_inbox(ctx).await } else { ctx.queues.recreate_sessions_queue().await };
    match recreated {
        Ok(()) => AfterMissingQueue::Recreated,
        Err(err) => {
            tracing::warn!(error = %err, queue = %missing.name, "could not create the missing queue again");
            AfterMissingQueue::RetryLater
        }
    }
}

/// The inbox as [`SenderContext::start`] made it, dead-letter queue first.
async fn recreate_inbox(ctx: &SenderContext) -> anyhow::Result<()> {
    let settings = &ctx.settings;
    ctx.queues.ensure_dead_letter_queue(&settings.inbox_dead_letter_arn).await?;
    let name = queue_name(&ctx.inbox_url);
    let url = ctx
        .queues
        .create_queue(
            name,
            &settings.inbox_dead_letter_arn,
            settings.max_receives,
            settings.visibility_timeout.as_secs() as u32,
        )
        .await?;
    anyhow::ensure!(url == ctx.inbox_url, "the inbox came back at {url}, not at {}", ctx.inbox_url);
    tracing::warn!(queue = %name, "this sender's inbox was gone; created it again (QUEUES_CREATE=auto)");
    shared::metrics::count("QueuesRecreated", 1, &[("Queue", "inbox")]);
    Ok(())
}

/// One error, then SIGTERM to ourselves: the usual drain runs (snapshots,
/// leases released) and `main` exits with [`EXIT_CODE`].
fn stop(missing: &QueueMissing) {
    if STOPPING.swap(true, Ordering::SeqCst) {
        return;
    }
    tracing::error!(
        queue = %missing.name,
        url = %missing.url,
        "a queue this sender reads does not exist and QUEUES_CREATE=never: stopping (exit {EXIT_CODE})"
    );
    unsafe { libc::kill(libc::getpid(), libc::SIGTERM) };
}

/// `Some(code)` when a missing queue stopped this sender.
pub fn exit_code() -> Option<i32> {
    STOPPING.load(Ordering::SeqCst).then_some(EXIT_CODE)
}
