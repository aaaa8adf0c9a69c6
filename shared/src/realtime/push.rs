//! Pushing events to every connection following a campaign through the API
//! Gateway management API (`PostToConnection`), concurrently.
//!
//! A push never fails the caller's work: a connection that is gone (410)
//! is forgotten, transient errors are retried by the SDK's standard retry
//! (exponential backoff with jitter), and whatever still fails is logged.
//!
//! Progress comes after every message and again at its ticks: who follows
//! a campaign is remembered for [`AUDIENCE_TTL`] for those, so a message
//! costs one lookup at most. Every other event looks its audience up.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use aws_sdk_apigatewaymanagement::{
    config::{retry::RetryConfig, timeout::TimeoutConfig},
    operation::{delete_connection::DeleteConnectionError, post_to_connection::PostToConnectionError},
    primitives::Blob,
    Client,
};
use futures_util::{stream, StreamExt};
use sqlx::MySqlPool;

use super::CampaignEvent;
use crate::repo::ws_connections;

/// How many PostToConnection calls run at once for one push.
const CONCURRENCY: usize = 64;

/// How long a campaign's followers are remembered for progress updates: a
/// socket opened meanwhile gets the next one.
const AUDIENCE_TTL: Duration = Duration::from_secs(2);

type Audiences = Arc<Mutex<HashMap<i64, (Instant, Vec<String>)>>>;

#[derive(Clone)]
pub struct Pusher {
    client: Option<Client>,
    db: MySqlPool,
    progress_audiences: Audiences,
}

/// What one push achieved.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct PushReport {
    pub delivered: usize,
    pub gone: usize,
    pub failed: usize,
}

impl PushReport {
    fn tally(outcomes: Vec<Outcome>) -> Self {
        let mut report = Self::default();
        for outcome in outcomes {
            match outcome {
                Outcome::Delivered => report.delivered += 1,
                Outcome::Gone => report.gone += 1,
                Outcome::Failed => report.failed += 1,
            }
        }
        report
    }
}

/// What closing a user's sockets achieved.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct CloseReport {
    /// Closed by `DeleteConnection`.
    pub closed: usize,
    /// Already gone.
    pub gone: usize,
    /// Not closed (logged): the endpoint failed, or none is configured.
    /// Their rows are gone all the same, so nothing more is pushed to them.
    pub failed: usize,
}

enum Outcome {
    Delivered,
    Gone,
    Failed,
}

impl Pusher {
    /// `endpoint`: the WebSocket API's management endpoint
    /// (`https://{api-id}.execute-api.{region}.amazonaws.com/{stage}`, or
    /// the local gateway). Without one, pushes are skipped.
    pub fn new(sdk: &aws_config::SdkConfig, endpoint: Option<&str>, db: MySqlPool) -> Self {
        let client = endpoint.map(|endpoint| {
            let config = aws_sdk_apigatewaymanagement::config::Builder::from(sdk)
                .endpoint_url(endpoint)
                .retry_config(RetryConfig::standard().with_max_attempts(3))
                .timeout_config(TimeoutConfig::builder().operation_attempt_timeout(Duration::from_secs(2)).build())
                .build();
            Client::from_conf(config)
        });
        Self { client, db, progress_audiences: Audiences::default() }
    }

    /// Send `event` to everyone following `campaign_id`.
    #[tracing::instrument(skip(self, event), fields(campaign.id = campaign_id, event = event.kind()))]
    pub async fn push(&self, campaign_id: i64, event: &CampaignEvent) -> PushReport {
        let Some(client) = &self.client else {
            tracing::debug!("no management endpoint configured; push skipped");
            return PushReport::default();
        };
        let Some(connections) = self.audience(campaign_id, matches!(event, CampaignEvent::ProgressUpdate { .. })).await
        else {
            return PushReport::default();
        };
        let payload = Blob::new(event.to_json(campaign_id).into_bytes());
        let outcomes: Vec<Outcome> = stream::iter(connections)
            .map(|connection_id| {
                let payload = payload.clone();
                async move { self.post(client, &connection_id, payload).await }
            })
            .buffer_unordered(CONCURRENCY)
            .collect()
            .await;
        let report = PushReport::tally(outcomes);
        if report.gone > 0 {
            self.progress_audiences.lock().expect("audiences").remove(&campaign_id);
        }
        report
    }

    /// Who follows the campaign; for progress, as looked up within the last
    /// [`AUDIENCE_TTL`]. `None` when the lookup failed (logged).
    async fn audience(&self, campaign_id: i64, progress: bool) -> Option<Vec<String>> {
        if progress {
            let audiences = self.progress_audiences.lock().expect("audiences");
            if let Some((_, connections)) = audiences.get(&campaign_id).filter(|(at, _)| at.elapsed() < AUDIENCE_TTL) {
                return Some(connections.clone());
            }
        }
        match ws_connections::for_campaign(&self.db, campaign_id).await {
            Ok(connections) => {
                let mut audiences = self.progress_audiences.lock().expect("audiences");
                audiences.retain(|_, (at, _)| at.elapsed() < AUDIENCE_TTL);
                audiences.insert(campaign_id, (Instant::now(), connections.clone()));
                Some(connections)
            }
            Err(err) => {
                tracing::warn!(error = %err, "could not list connections; push skipped");
                None
            }
        }
    }

    /// Send `event` of an account's session to everyone following the
    /// account or one of its campaigns.
    #[tracing::instrument(skip(self, event), fields(account.id = account_id, event = event.kind()))]
    pub async fn push_account(&self, account_id: i64, event: &CampaignEvent) -> PushReport {
        let Some(client) = &self.client else { return PushReport::default() };
        let connections = match ws_connections::for_account(&self.db, account_id).await {
            Ok(connections) => connections,
            Err(err) => {
                tracing::warn!(error = %err, "could not list connections; push skipped");
                return PushReport::default();
            }
        };
        let outcomes: Vec<Outcome> = stream::iter(connections)
            .map(|(connection_id, campaign)| {
                let payload = Blob::new(event.to_account_json(account_id, campaign).into_bytes());
                async move { self.post(client, &connection_id, payload).await }
            })
            .buffer_unordered(CONCURRENCY)
            .collect()
            .await;
        PushReport::tally(outcomes)
    }

    /// Close every open socket of a user (`DeleteConnection`) and forget
    /// its connections, e.g. when the user is banned or logs out. The rows
    /// go first, so nothing more is pushed to the user even if a close
    /// fails (logged); a socket already gone counts as closed.
    #[tracing::instrument(skip(self), fields(user.id = user_id))]
    pub async fn close_user(&self, user_id: i64) -> CloseReport {
        let connections = match ws_connections::of_user(&self.db, user_id).await {
            Ok(connections) => connections,
            Err(err) => {
                tracing::warn!(error = %err, "could not list the user's connections; none closed");
                return CloseReport::default();
            }
        };
        if connections.is_empty() {
            return CloseReport::default();
        }
        if let Err(err) = ws_connections::delete_many(&self.db, &connections).await {
            tracing::warn!(error = %err, "could not forget the user's connections");
        }
        self.progress_audiences.lock().expect("audiences").clear();
        let Some(client) = &self.client else {
            tracing::debug!("no management endpoint configured; sockets forgotten, not closed");
            return CloseReport { closed: 0, gone: 0, failed: connections.len() };
        };
        let outcomes: Vec<Outcome> = stream::iter(connections)
            .map(|connection_id| async move {
                match client.delete_connection().connection_id(&connection_id).send().await {
                    Ok(_) => Outcome::Delivered,
                    Err(err) if matches!(err.as_service_error(), Some(DeleteConnectionError::GoneException(_))) => {
                        Outcome::Gone
                    }
                    Err(err) => {
                        tracing::warn!(
                            error = %aws_sdk_apigatewaymanagement::error::DisplayErrorContext(&err),
                            "could not close a socket"
                        );
                        Outcome::Failed
                    }
                }
            })
            .buffer_unordered(CONCURRENCY)
            .collect()
            .await;
        let PushReport { delivered, gone, failed } = PushReport::tally(outcomes);
        let report = CloseReport { closed: delivered, gone, failed };
        tracing::info!(closed = report.closed, gone = report.gone, failed = report.failed, "closed the user's sockets");
        report
    }

    async fn post(&self, client: &Client, connection_id: &str, payload: Blob) -> Outcome {
        let result = client.post_to_connection().connection_id(connection_id).data(payload).send().await;
        match result {
            Ok(_) => Outcome::Delivered,
            Err(err) if matches!(err.as_service_error(), Some(PostToConnectionError::GoneException(_))) => {
                if let Err(err) = ws_connections::delete(&self.db, connection_id).await {
                    tracing::warn!(error = %err, "could not forget a gone connection");
                }
                Outcome::Gone
            }
            Err(err) => {
                tracing::warn!(error = %aws_sdk_apigatewaymanagement::error::DisplayErrorContext(&err), "push failed");
                crate::metrics::count("PushFailures", 1, &[]);
                Outcome::Failed
            }
        }
    }
}
