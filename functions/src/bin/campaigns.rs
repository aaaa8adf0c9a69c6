//! The campaigns Lambda: API Gateway HTTP API events in, the campaigns and
//! campaign-session routers (the same ones the local gateway serves) answer.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::telemetry::init();
    let ctx = shared::AppContext::from_env().await?;
    let routes = functions::campaigns::router(ctx.clone()).merge(functions::sessions::router(ctx));
    lambda_http::run(functions::http::finish(routes)).await
}
