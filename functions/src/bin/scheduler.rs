//! The scheduler Lambda, invoked every minute by an EventBridge schedule:
//! starts due scheduled campaigns and re-offers orphaned sessions.

// The future of a whole scheduler run nests deeply (sqlx + the AWS SDK).
#![recursion_limit = "256"]

use lambda_http::{lambda_runtime, service_fn, Error, LambdaEvent};

#[tokio::main]
async fn main() -> Result<(), Error> {
    shared::telemetry::init();
    let ctx = shared::AppContext::from_env().await?;
    let ctx = &ctx;
    lambda_runtime::run(service_fn(move |_: LambdaEvent<serde_json::Value>| async move {
        let report = shared::campaigns::schedule::run_scheduler(ctx).await.map_err(|e| Error::from(e.to_string()))?;
        Ok::<_, Error>(
            serde_json::json!({ "started": report.started, "failed": report.failed, "reoffered": report.reoffered,
                "stalled": report.stalled }),
        )
    }))
    .await
}
