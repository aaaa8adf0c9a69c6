//! The orders & payments Lambda: orders, gateway payments and their callback, and the subscription they grant.
//! API Gateway HTTP API events in; the same router the local gateway serves answers.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::telemetry::init();
    let ctx = shared::AppContext::from_env().await?;
    lambda_http::run(functions::http::finish(functions::payments::router(ctx))).await
}
