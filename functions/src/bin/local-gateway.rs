//! The local gateway: every function's routes on one port, with CORS and a
//! rate limit, the WebSocket API emulation and the scheduler on a timer,
//! for local runs and end-to-end tests.

use std::net::SocketAddr;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    shared::telemetry::init();
    let mut settings = shared::config::Settings::from_env()?;
    let port = settings.gateway.port;
    // The payment callback's base is configuration, never a request's
    // `Host`; unset locally, it is this gateway's own listen address.
    if settings.payments.callback_base_url.is_none() {
        let local = shared::domain::PublicBaseUrl::parse(&format!("http://localhost:{port}"));
        settings.payments.callback_base_url = Some(local.map_err(anyhow::Error::msg)?);
    }
    let pool = shared::db::connect_lazy(&settings.database_url, settings.database_max_connections)?;
    let ctx = shared::AppContext::with_pool(settings, pool).await?;
    let interval = ctx.settings.gateway.scheduler_interval;
    if !interval.is_zero() {
        // EventBridge runs the scheduler Lambda in AWS; locally, a timer.
        let ctx = ctx.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(interval);
            loop {
                tick.tick().await;
                // Boxed: the scheduler's future is deep enough that laying it
                // out inline here overflows the compiler's query depth.
                if let Err(err) = Box::pin(shared::campaigns::schedule::run_scheduler(&ctx)).await {
                    tracing::error!(error = %err, "scheduler run failed");
                }
            }
        });
    }
    let listener = tokio::net::TcpListener::bind(("0.0.0.0", port)).await?;
    tracing::info!(port, "local gateway listening on http://localhost:{port}");
    axum::serve(listener, functions::gateway::app(ctx).into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}
