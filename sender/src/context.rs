//! What every part of a sender process shares: the database, S3, the push
//! client, the queues (the shared sessions queue and this sender's own
//! inbox), and the WhatsApp driver's launcher (one chromedriver).

use shared::{queue::Queues, realtime::Pusher, repo::session_leases, storage::Storage};
use sqlx::MySqlPool;

use crate::{
    driver::{DriverConfig, Launcher},
    settings::SenderSettings,
};

pub struct SenderContext {
    pub settings: SenderSettings,
    pub db: MySqlPool,
    pub storage: Storage,
    pub pusher: Pusher,
    pub queues: Queues,
    pub launcher: Launcher,
    /// This sender's own command queue.
    pub inbox_url: String,
    /// The health server's port, bound at start so a taken port fails the
    /// start (and names it); [`crate::ops::server`] takes it.
    ops_listener: std::sync::Mutex<Option<std::net::TcpListener>>,
}

impl SenderContext {
    /// Connect everything and announce this sender: its inbox queue exists
    /// and its row in `senders` names it, before any lease can point at it.
    pub async fn start(settings: SenderSettings, driver: DriverConfig) -> anyhow::Result<Self> {
        // First: a sender that cannot serve its health checks is not started.
        let ops_listener = crate::ops::server::bind(settings.ops_port).await?;
        let db = shared::db::connect(&settings.database_url, (settings.max_sessions as u32 + 4).max(5)).await?;
        let sdk = shared::aws::sdk_config(&settings.aws).await;
        let queues =
            Queues::new(&sdk, settings.aws.sessions_queue_url.clone()).with_creation(settings.aws.queues_create);
        let inbox_name = format!("{}-{}", settings.inbox_prefix, settings.sender_id);
        let inbox_url = queues
            .create_queue(
                &inbox_name,
                &settings.inbox_dead_letter_arn,
                settings.max_receives,
                settings.visibility_timeout.as_secs() as u32,
            )
            .await?;
        session_leases::register_sender(&db, &settings.sender_id, &inbox_url, settings.max_sessions as i32).await?;
        let leftovers = crate::driver::sweep_leftovers(&settings.profile_dir);
        if leftovers > 0 {
            tracing::warn!(leftovers, "killed browsers a dead predecessor left on our profiles");
        }
        let launcher = Launcher::start(driver).await?;
        std::fs::create_dir_all(&settings.profile_dir)?;
        Ok(Self {
            storage: Storage::new(&sdk, settings.aws.s3_bucket.clone()),
            pusher: Pusher::new(&sdk, settings.aws.ws_management_endpoint.as_deref(), db.clone()),
            queues,
            launcher,
            inbox_url,
            ops_listener: std::sync::Mutex::new(ops_listener),
            db,
            settings,
        })
    }

    /// The health server's listener, once (none when `SENDER_OPS_PORT` is 0).
    pub fn take_ops_listener(&self) -> Option<std::net::TcpListener> {
        self.ops_listener.lock().ok()?.take()
    }

    pub fn sender_id(&self) -> &str {
        &self.settings.sender_id
    }

    /// Leave no trace: the inbox queue and the `senders` row go, and
    /// chromedriver with any browser left; leases were released by the drain.
    pub async fn retire(&self) {
        if let Err(err) = self.queues.delete_queue(&self.inbox_url).await {
            tracing::warn!(error = %err, "could not delete the inbox queue");
        }
        if let Err(err) = session_leases::remove_sender(&self.db, &self.settings.sender_id).await {
            tracing::warn!(error = %err, "could not remove the sender row");
        }
        self.launcher.shutdown().await;
    }
}
