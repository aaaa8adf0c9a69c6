//! The auth & users Lambda: API Gateway HTTP API events in, the auth router
//! (the same one the local gateway serves) answers.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::telemetry::init();
    let ctx = shared::AppContext::from_env().await?;
    lambda_http::run(functions::http::finish(functions::auth::router(ctx))).await
}
