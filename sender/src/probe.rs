//! `sender probe`: opens a stored WhatsApp session profile in a browser and
//! prints, for every DOM hook, which alternative of `driver::selectors`
//! the live page matches — what an operator runs after a WhatsApp release.
//! Nothing is sent; the profile is a copy, so a running session is not
//! disturbed.
//!
//! `sender probe (--account <id> | --profile <dir>) [--phone <number>]`:
//! `--account` restores the WhatsApp account's snapshot from S3 (`S3_BUCKET`,
//! `AWS_*`); `--profile` copies a profile directory. `--phone` opens that
//! chat to probe the chat hooks. `WHATSAPP_URL` and the other driver
//! settings apply as for the service.

use std::path::PathBuf;

use anyhow::{bail, Context};
use shared::{config::AwsSettings, domain::Phone, storage::Storage};

use crate::{
    driver::{profile, DriverConfig, Launcher},
    session::snapshot_key,
};

pub struct ProbeArgs {
    pub account: Option<i64>,
    pub profile: Option<PathBuf>,
    pub phone: Option<Phone>,
}

const USAGE: &str = "usage: sender probe (--account <id> | --profile <dir>) [--phone <number>]";

impl ProbeArgs {
    pub fn parse(args: impl IntoIterator<Item = String>) -> anyhow::Result<Self> {
        let mut parsed = Self { account: None, profile: None, phone: None };
        let mut args = args.into_iter();
        while let Some(flag) = args.next() {
            let value = args.next().with_context(|| format!("{flag} needs a value; {USAGE}"))?;
            match flag.as_str() {
                "--account" => parsed.account = Some(value.parse().context("--account takes a WhatsApp account id")?),
                "--profile" => parsed.profile = Some(value.into()),
                "--phone" => parsed.phone = Some(Phone::parse(&value).map_err(|e| anyhow::anyhow!("--phone {e}"))?),
                other => bail!("unknown argument {other}; {USAGE}"),
            }
        }
        if parsed.account.is_some() == parsed.profile.is_some() {
            bail!("{USAGE}");
        }
        Ok(parsed)
    }
}

/// Runs the probe and prints its report; fails when a hook drifted.
pub async fn run(args: ProbeArgs) -> anyhow::Result<()> {
    let scratch = tempfile_dir()?;
    let dir = scratch.join("profile");
    match (&args.account, &args.profile) {
        (Some(account), _) => {
            let aws = AwsSettings::from_source(|name| match name {
                // The probe reads S3 only.
                "SQS_SESSIONS_QUEUE_URL" => Some("unused".into()),
                _ => std::env::var(name).ok(),
            })?;
            let storage = Storage::new(&shared::aws::sdk_config(&aws).await, aws.s3_bucket.clone());
            let key = snapshot_key(*account);
            let object = storage
                .get(&key)
                .await?
                .with_context(|| format!("no session snapshot at s3://{}/{key}", aws.s3_bucket))?;
            let target = dir.clone();
            tokio::task::spawn_blocking(move || profile::unpack_profile(&object.bytes, &target)).await??;
        }
        (None, Some(source)) => {
            let packed = {
                let source = source.clone();
                tokio::task::spawn_blocking(move || profile::pack_profile(&source)).await??
            };
            let target = dir.clone();
            tokio::task::spawn_blocking(move || profile::unpack_profile(&packed, &target)).await??;
        }
        (None, None) => bail!("{USAGE}"),
    }
    let launcher = Launcher::start(DriverConfig::from_env()?).await?;
    let result = async {
        let session = launcher.open(&dir).await?;
        let report = session.probe(args.phone.as_ref()).await;
        session.close().await?;
        anyhow::Ok(report?)
    }
    .await;
    launcher.shutdown().await;
    let _ = std::fs::remove_dir_all(&scratch);
    let report = result?;
    print!("{report}");
    let drifted = report.drifted();
    if !drifted.is_empty() {
        bail!("no alternative matched for: {}", drifted.join(", "));
    }
    Ok(())
}

fn tempfile_dir() -> anyhow::Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("wa-sender-probe-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}
