//! A thin SQS client: send, long-poll receive, delete, and the per-sender
//! inbox queues (created with a redrive policy so poison lands in a
//! dead-letter queue).

use aws_sdk_sqs::{error::DisplayErrorContext, types::MessageSystemAttributeName, types::QueueAttributeName, Client};

use super::{recreate::is_missing_queue, Command, QueueMissing};
use crate::config::QueueCreation;

#[derive(Clone)]
pub struct Queues {
    client: Client,
    sessions_url: String,
    creation: QueueCreation,
}

/// A received message, still on its queue until deleted.
#[derive(Debug, Clone)]
pub struct Received {
    pub body: String,
    pub receipt_handle: String,
    /// How many times SQS has handed this message out (1 the first time).
    pub receive_count: u32,
}

impl Queues {
    pub fn new(sdk: &aws_config::SdkConfig, sessions_url: impl Into<String>) -> Self {
        Self { client: Client::new(sdk), sessions_url: sessions_url.into(), creation: QueueCreation::Never }
    }

    /// Whether a vanished queue is created again (`QUEUES_CREATE`).
    pub fn with_creation(self, creation: QueueCreation) -> Self {
        Self { creation, ..self }
    }

    pub fn creation(&self) -> QueueCreation {
        self.creation
    }

    pub fn sessions_url(&self) -> &str {
        &self.sessions_url
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    pub async fn send(&self, queue_url: &str, command: &Command) -> anyhow::Result<()> {
        self.send_raw(queue_url, &command.to_json()).await
    }

    /// A sessions queue that is gone is created again first when
    /// `QUEUES_CREATE=auto`; any other missing queue fails as [`QueueMissing`].
    pub async fn send_raw(&self, queue_url: &str, body: &str) -> anyhow::Result<()> {
        match self.send_once(queue_url, body).await {
            Err(err)
                if self.creation == QueueCreation::Auto
                    && queue_url == self.sessions_url
                    && QueueMissing::in_error(&err).is_some() =>
            {
                // Boxed: the rare path stays out of every caller's future
                // layout (the local gateway's scheduler timer is deep already).
                Box::pin(async {
                    self.recreate_sessions_queue().await?;
                    self.send_once(queue_url, body).await
                })
                .await
            }
            outcome => outcome,
        }
    }

    async fn send_once(&self, queue_url: &str, body: &str) -> anyhow::Result<()> {
        let sent = self.client.send_message().queue_url(queue_url).message_body(body).send().await;
        match sent {
            Ok(_) => Ok(()),
            Err(err) if is_missing_queue(&err) => Err(QueueMissing::at(queue_url).into()),
            Err(err) => Err(anyhow::anyhow!("SQS send to {queue_url}: {}", DisplayErrorContext(err))),
        }
    }

    /// Up to `max` messages, waiting up to `wait_secs` for the first
    /// (long polling: a message is handed out as soon as it arrives).
    pub async fn receive(&self, queue_url: &str, max: i32, wait_secs: i32) -> anyhow::Result<Vec<Received>> {
        let output = self
            .client
            .receive_message()
            .queue_url(queue_url)
            .max_number_of_messages(max.clamp(1, 10))
            .wait_time_seconds(wait_secs)
            .message_system_attribute_names(MessageSystemAttributeName::ApproximateReceiveCount)
            .send()
            .await
            .map_err(|err| match is_missing_queue(&err) {
                true => QueueMissing::at(queue_url).into(),
                false => anyhow::anyhow!("SQS receive from {queue_url}: {}", DisplayErrorContext(err)),
            })?;
        Ok(output
            .messages
            .unwrap_or_default()
            .into_iter()
            .filter_map(|message| {
                let receive_count = message
                    .attributes()
                    .and_then(|a| a.get(&MessageSystemAttributeName::ApproximateReceiveCount))
                    .and_then(|count| count.parse().ok())
                    .unwrap_or(1);
                Some(Received { body: message.body?, receipt_handle: message.receipt_handle?, receive_count })
            })
            .collect())
    }

    pub async fn delete(&self, queue_url: &str, receipt_handle: &str) -> anyhow::Result<()> {
        self.client
            .delete_message()
            .queue_url(queue_url)
            .receipt_handle(receipt_handle)
            .send()
            .await
            .map_err(|e| anyhow::anyhow!("SQS delete: {}", DisplayErrorContext(e)))?;
        Ok(())
    }

    /// Create (or find) a queue whose poison goes to `dead_letter_arn` after
    /// `max_receives` receives; returns its URL.
    pub async fn create_queue(
        &self,
        name: &str,
        dead_letter_arn: &str,
        max_receives: u32,
        visibility_timeout_secs: u32,
    ) -> anyhow::Result<String> {
        let redrive =
            serde_json::json!({"deadLetterTargetArn": dead_letter_arn, "maxReceiveCount": max_receives.to_string()});
        let output = self
            .client
            .create_queue()
            .queue_name(name)
            .attributes(QueueAttributeName::RedrivePolicy, redrive.to_string())
            .attributes(QueueAttributeName::VisibilityTimeout, visibility_timeout_secs.to_string())
            .send()
            .await
            .map_err(|e| anyhow::anyhow!("SQS create queue {name}: {}", DisplayErrorContext(e)))?;
        output.queue_url.ok_or_else(|| anyhow::anyhow!("SQS create queue {name}: no URL"))
    }

    pub async fn delete_queue(&self, queue_url: &str) -> anyhow::Result<()> {
        self.client
            .delete_queue()
            .queue_url(queue_url)
            .send()
            .await
            .map_err(|e| anyhow::anyhow!("SQS delete queue: {}", DisplayErrorContext(e)))?;
        Ok(())
    }

    /// How many messages wait on a queue (approximate, as SQS counts).
    pub async fn depth(&self, queue_url: &str) -> anyhow::Result<u64> {
        let output = self
            .client
            .get_queue_attributes()
            .queue_url(queue_url)
            .attribute_names(QueueAttributeName::ApproximateNumberOfMessages)
            .send()
            .await
            .map_err(|e| anyhow::anyhow!("SQS attributes: {}", DisplayErrorContext(e)))?;
        Ok(output
            .attributes()
            .and_then(|a| a.get(&QueueAttributeName::ApproximateNumberOfMessages))
            .and_then(|n| n.parse().ok())
            .unwrap_or(0))
    }
}
