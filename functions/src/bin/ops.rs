//! Operations CLI: what the old service had as npm scripts.

use clap::{Parser, Subcommand};
use shared::config::Settings;

#[derive(Parser)]
#[command(name = "ops", about = "Operations for the WhatsApp campaign service", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check that every required setting is present and well-formed, and that the database answers.
    CheckEnv,
    /// Apply the database migrations (idempotent).
    Migrate,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    shared::telemetry::init();
    match Cli::parse().command {
        Command::CheckEnv => check_env().await,
        Command::Migrate => migrate().await,
    }
}

async fn check_env() -> anyhow::Result<()> {
    let settings = Settings::from_env()?;
    println!("configuration: ok");
    let pool = shared::db::connect(&settings.database_url, 1).await?;
    shared::db::ping(&pool).await?;
    println!("database: reachable");
    Ok(())
}

async fn migrate() -> anyhow::Result<()> {
    let url = std::env::var("DATABASE_URL").map_err(|_| anyhow::anyhow!("DATABASE_URL: required but not set"))?;
    let pool = shared::db::connect(&url, 1).await?;
    shared::db::migrate(&pool).await?;
    println!("migrations: applied");
    Ok(())
}
