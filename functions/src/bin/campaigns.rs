//! The campaigns Lambda: API Gateway HTTP API events in, the campaigns
//! router (the same one the local gateway serves) answers.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::telemetry::init();
    let ctx = shared::AppContext::from_env().await?;
    lambda_http::run(functions::http::finish(functions::campaigns::router(ctx))).await
}
