//! The sender service: a long-lived process (an ECS task in AWS) that runs
//! WhatsApp Web sessions in headless Chromium for the campaigns it owns. It
//! pulls commands from SQS, writes progress to MySQL and pushes it to
//! WebSocket clients, and drains on SIGTERM.
//!
//! `sender probe …` instead checks a stored session against the live
//! WhatsApp Web (see [`sender::probe`]); `sender healthcheck` asks the
//! running sender's `/healthz` (the container's health check: the image
//! has no curl).

use sender::{context::SenderContext, driver::DriverConfig, fleet::Fleet, settings::SenderSettings};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    shared::telemetry::init();
    let mut args = std::env::args().skip(1);
    match args.next().as_deref() {
        Some("probe") => return sender::probe::run(sender::probe::ProbeArgs::parse(args)?).await,
        Some("healthcheck") => {
            let port = std::env::var("SENDER_OPS_PORT").ok().and_then(|p| p.parse().ok()).unwrap_or(9100);
            let live = sender::ops::server::get_ok(&format!("127.0.0.1:{port}"), "/healthz").await;
            std::process::exit(if live.is_ok() { 0 } else { 1 });
        }
        _ => {}
    }
    let settings = SenderSettings::from_env()?;
    let driver = DriverConfig::from_env()?;
    let ctx = SenderContext::start(settings, driver).await?;
    Fleet::new(ctx).run(shutdown_signal()).await;
    if let Some(code) = sender::fleet::queue_gone::exit_code() {
        std::process::exit(code);
    }
    Ok(())
}

/// SIGTERM (a scale-in or a deploy) or Ctrl-C.
async fn shutdown_signal() {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).expect("SIGTERM handler");
    tokio::select! {
        _ = term.recv() => {}
        _ = tokio::signal::ctrl_c() => {}
    }
}
