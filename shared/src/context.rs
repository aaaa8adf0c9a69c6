//! What every handler and worker needs, built once per process.

use std::sync::Arc;

use sqlx::MySqlPool;

use crate::{
    auth::{otp_code::OtpHasher, JwtKeys},
    aws,
    config::Settings,
    db,
    notify::Notifier,
    payment_gateway::PaymentGateway,
    queue::Queues,
    realtime::Pusher,
    storage::Storage,
};

#[derive(Clone)]
pub struct AppContext {
    pub db: MySqlPool,
    pub settings: Arc<Settings>,
    pub jwt: JwtKeys,
    pub otp_hasher: OtpHasher,
    pub notifier: Notifier,
    pub storage: Storage,
    pub pusher: Pusher,
    pub queues: Queues,
    pub payments: PaymentGateway,
}

impl AppContext {
    /// Settings from the environment and a pool that connects on first use
    /// ([`db::connect_lazy`]); fails naming every missing variable.
    pub async fn from_env() -> anyhow::Result<Self> {
        let settings = Settings::from_env()?;
        let pool = db::connect_lazy(&settings.database_url, settings.database_max_connections)?;
        Self::with_pool(settings, pool).await
    }

    pub async fn with_pool(settings: Settings, db: MySqlPool) -> anyhow::Result<Self> {
        let sdk = aws::sdk_config(&settings.aws).await;
        Ok(Self {
            storage: Storage::new(&sdk, settings.aws.s3_bucket.clone()),
            queues: Queues::new(&sdk, settings.aws.sessions_queue_url.clone())
                .with_creation(settings.aws.queues_create),
            pusher: Pusher::new(&sdk, settings.aws.ws_management_endpoint.as_deref(), db.clone()),
            jwt: JwtKeys::new(settings.jwt_secret.expose(), settings.access_token_ttl)
                .with_issuer(&settings.jwt_issuer)
                .with_audience(&settings.jwt_audience),
            otp_hasher: OtpHasher::new(settings.jwt_secret.expose()),
            notifier: Notifier::new(&settings.sms, &settings.email)?,
            payments: PaymentGateway::from_settings(&settings.payments)?,
            settings: Arc::new(settings),
            db,
        })
    }
}
