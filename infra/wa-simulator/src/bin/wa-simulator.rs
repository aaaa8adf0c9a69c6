//! Runs the WhatsApp Web simulator for local runs: `WA_SIM_PORT` (default
//! 3100) on 127.0.0.1; the rest from `WA_SIM_*` (see
//! [`wa_simulator::SimulatorConfig::from_env`]). Point the sender's
//! `WHATSAPP_URL` at it.

use anyhow::Context;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")))
        .with_target(false)
        .init();
    let config = wa_simulator::SimulatorConfig::from_env()?;
    let port: u16 = match std::env::var("WA_SIM_PORT") {
        Ok(value) => value.parse().with_context(|| format!("WA_SIM_PORT must be a port number, got {value:?}"))?,
        Err(_) => 3100,
    };
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .with_context(|| format!("cannot listen on 127.0.0.1:{port}"))?;
    tracing::info!(port, ?config, "WhatsApp Web simulator on http://127.0.0.1:{port} (control API under /__control/)");
    axum::serve(listener, wa_simulator::router(config))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}
