//! Queues that vanished under a running system: an emulator restarted
//! empty, or a stack deleted under the fleet. SQS then answers "no such
//! queue" forever, and a consumer that only logs and retries stalls
//! silently. This module names that case ([`QueueMissing`]) and, where the
//! settings allow it (`QUEUES_CREATE=auto`, the local default), creates the
//! shared sessions queue again the way `infra/aws-init.py` does, with its
//! dead-letter queue. Each sender recreates its own inbox itself (it knows
//! its attributes). What to do when recreation is not allowed is the
//! caller's decision (a sender stops; an API call fails naming the queue).

use aws_sdk_sqs::{error::ProvideErrorMetadata, types::QueueAttributeName};

use super::Queues;

/// The sessions queue as `infra/aws-init.py` and `template.yaml` make it.
const SESSIONS_VISIBILITY_TIMEOUT_SECS: u32 = 30;
const SESSIONS_MAX_RECEIVES: u32 = 5;

/// SQS says the queue does not exist; the message names it.
#[derive(Debug, thiserror::Error)]
#[error("SQS queue `{name}` does not exist ({url})")]
pub struct QueueMissing {
    pub name: String,
    pub url: String,
}

impl QueueMissing {
    pub fn at(url: &str) -> Self {
        Self { name: queue_name(url).to_owned(), url: url.to_owned() }
    }

    /// The missing queue behind an error from [`Queues`], if that is what it is.
    pub fn in_error(err: &anyhow::Error) -> Option<&QueueMissing> {
        err.downcast_ref()
    }
}

/// Whether an SQS error means the queue is gone (the query protocol and the
/// JSON protocol spell it differently).
pub fn is_missing_queue<E: ProvideErrorMetadata>(err: &E) -> bool {
    err.code().is_some_and(|code| code.contains("NonExistentQueue") || code.contains("QueueDoesNotExist"))
}

/// The queue's name: the last segment of its URL.
pub fn queue_name(url: &str) -> &str {
    url.trim_end_matches('/').rsplit('/').next().unwrap_or(url)
}

impl Queues {
    /// Create the shared sessions queue again, and its dead-letter queue
    /// (`<name>-dlq`, as aws-init names it) first so the redrive has a target.
    pub async fn recreate_sessions_queue(&self) -> anyhow::Result<()> {
        let name = queue_name(self.sessions_url()).to_owned();
        let dead_letter_url = self.create_plain_queue(&format!("{name}-dlq")).await?;
        let dead_letter_arn = self.queue_arn(&dead_letter_url).await?;
        let url =
            self.create_queue(&name, &dead_letter_arn, SESSIONS_MAX_RECEIVES, SESSIONS_VISIBILITY_TIMEOUT_SECS).await?;
        if url != self.sessions_url() {
            // Queue URLs are account + region + name, so this means a
            // different account or region than the settings name.
            anyhow::bail!("the sessions queue came back at {url}, not at SQS_SESSIONS_QUEUE_URL");
        }
        tracing::warn!(queue = %name, "the sessions queue was gone; created it again (QUEUES_CREATE=auto)");
        crate::metrics::count("QueuesRecreated", 1, &[("Queue", "sessions")]);
        Ok(())
    }

    /// The dead-letter queue named by `arn` exists (created, empty, if not).
    pub async fn ensure_dead_letter_queue(&self, arn: &str) -> anyhow::Result<()> {
        let name = arn.rsplit(':').next().unwrap_or(arn);
        self.create_plain_queue(name).await.map(|_| ())
    }

    async fn create_plain_queue(&self, name: &str) -> anyhow::Result<String> {
        let output =
            self.client().create_queue().queue_name(name).send().await.map_err(|e| {
                anyhow::anyhow!("SQS create queue {name}: {}", aws_sdk_sqs::error::DisplayErrorContext(e))
            })?;
        output.queue_url.ok_or_else(|| anyhow::anyhow!("SQS create queue {name}: no URL"))
    }

    async fn queue_arn(&self, url: &str) -> anyhow::Result<String> {
        let output = self
            .client()
            .get_queue_attributes()
            .queue_url(url)
            .attribute_names(QueueAttributeName::QueueArn)
            .send()
            .await
            .map_err(|e| anyhow::anyhow!("SQS attributes of {url}: {}", aws_sdk_sqs::error::DisplayErrorContext(e)))?;
        output
            .attributes()
            .and_then(|a| a.get(&QueueAttributeName::QueueArn))
            .cloned()
            .ok_or_else(|| anyhow::anyhow!("SQS attributes of {url}: no ARN"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_queue_is_named_by_the_last_segment_of_its_url() {
        assert_eq!(queue_name("http://127.0.0.1:4566/123456789012/wa-sessions"), "wa-sessions");
        let missing = QueueMissing::at("https://sqs.us-east-1.amazonaws.com/1/wa-sender-a1");
        assert!(missing.to_string().contains("`wa-sender-a1` does not exist"), "{missing}");
    }
}
