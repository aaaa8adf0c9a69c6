//! The admin Lambda: users, roles, statuses, transactions, dashboard and the recipients template.
//! API Gateway HTTP API events in; the same router the local gateway serves answers.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::telemetry::init();
    let ctx = shared::AppContext::from_env().await?;
    lambda_http::run(functions::http::finish(functions::admin::router(ctx))).await
}
