//! Operations CLI: what the old service had as npm scripts. Each command
//! calls the same shared operation the API uses (granting a subscription
//! is the code a verified payment runs), so the CLI cannot drift from it.
//! Commands that touch the database need only `DATABASE_URL`.

use std::{io::Write, path::PathBuf};

use anyhow::Context;
use clap::{Parser, Subcommand};
use shared::{
    admin::roles,
    commerce::subscription,
    config::Settings,
    domain::{Email, Role},
    excel::sample::{self, HeaderLanguage},
};
use sqlx::MySqlPool;

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
    /// Make the account with this e-mail an administrator.
    MakeAdmin {
        /// The account's e-mail address.
        email: String,
        /// SUPER_ADMIN instead of ADMIN (only a super administrator may manage administrators).
        #[arg(long = "super")]
        super_admin: bool,
    },
    /// Grant a package to the account with this e-mail, exactly as a verified payment would (no payment is recorded).
    GiveSubscription {
        email: String,
        /// The package's id (see GET /api/packages).
        package_id: i64,
    },
    /// Write a sample recipients list (.xlsx) with a header row and one distinct mobile number per row.
    CreateTestExcel {
        /// How many recipients (1 to 1048575, Excel's limit).
        #[arg(value_parser = clap::value_parser!(u32).range(1..=i64::from(sample::MAX_ROWS)))]
        rows: u32,
        /// Where to write the .xlsx file.
        path: PathBuf,
        /// English headers (phone, name) instead of Persian (شماره تلفن, نام).
        #[arg(long)]
        english: bool,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    shared::telemetry::init();
    match Cli::parse().command {
        Command::CheckEnv => check_env().await,
        Command::Migrate => migrate().await,
        Command::MakeAdmin { email, super_admin } => make_admin(&email, super_admin).await,
        Command::GiveSubscription { email, package_id } => give_subscription(&email, package_id).await,
        Command::CreateTestExcel { rows, path, english } => create_test_excel(rows, &path, english),
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

async fn database() -> anyhow::Result<MySqlPool> {
    let url = std::env::var("DATABASE_URL").map_err(|_| anyhow::anyhow!("DATABASE_URL: required but not set"))?;
    Ok(shared::db::connect(&url, 1).await?)
}

fn email(raw: &str) -> anyhow::Result<Email> {
    Email::parse(raw).with_context(|| format!("email `{raw}`"))
}

async fn migrate() -> anyhow::Result<()> {
    shared::db::migrate(&database().await?).await?;
    println!("migrations: applied");
    Ok(())
}

async fn make_admin(raw_email: &str, super_admin: bool) -> anyhow::Result<()> {
    let role = if super_admin { Role::SuperAdmin } else { Role::Admin };
    let user = roles::make_admin(&database().await?, &email(raw_email)?, role).await?;
    println!("{} (id {}) is now {}", user.email, user.id, user.role);
    Ok(())
}

async fn give_subscription(raw_email: &str, package_id: i64) -> anyhow::Result<()> {
    let grant = subscription::give(&database().await?, &email(raw_email)?, package_id).await?;
    println!(
        "user {} got package {} ({}, {} messages); subscription active until {}",
        grant.user_id,
        grant.package.id,
        grant.package.title,
        grant.package.message_limit,
        grant.expires_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    );
    Ok(())
}

fn create_test_excel(rows: u32, path: &std::path::Path, english: bool) -> anyhow::Result<()> {
    let language = if english { HeaderLanguage::English } else { HeaderLanguage::Persian };
    let mut stderr = std::io::stderr();
    sample::write(path, rows, language, |written| {
        let _ = write!(stderr, "\rrows written: {written}/{rows} ({}%)", u64::from(written) * 100 / u64::from(rows));
        let _ = stderr.flush();
    })?;
    eprintln!();
    println!("wrote {rows} recipients to {}", path.display());
    Ok(())
}
