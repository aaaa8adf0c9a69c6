//! The browsers' memory, sampled on every heartbeat: published as metrics
//! (sessions open; Chromium PSS per session, the largest and the sum) and
//! held to `SENDER_MEMORY_LIMIT_MB`. Chromium grows over long sessions
//! (whatsapp-web.js #350); past the limit the fleet drains its sessions
//! (each snapshots its profile and re-offers its campaign) and they start
//! again on fresh browsers, rather than the host killing the task mid-send.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use shared::metrics::{self, Unit};

use crate::fleet::Fleet;

/// What one sample saw, and whether it asked for a recycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sample {
    pub sessions: usize,
    pub pss_total: u64,
    pub pss_max: u64,
    pub recycled: bool,
}

/// Heartbeats between two recycles: the restarted sessions get to load
/// before they are judged (a limit below one fresh browser must not make
/// the sender recycle in a loop).
const RECYCLE_COOLDOWN_BEATS: u32 = 30;

pub async fn run(fleet: Arc<Fleet>) {
    let heartbeat = fleet.ctx().settings.heartbeat;
    let cooldown = (heartbeat * RECYCLE_COOLDOWN_BEATS).max(Duration::from_secs(10));
    let mut tick = tokio::time::interval(heartbeat);
    let mut last_recycle: Option<Instant> = None;
    loop {
        tick.tick().await;
        let may_recycle = last_recycle.is_none_or(|at| at.elapsed() >= cooldown);
        if sample(&fleet, may_recycle).await.recycled {
            last_recycle = Some(Instant::now());
        }
    }
}

pub async fn sample(fleet: &Arc<Fleet>, may_recycle: bool) -> Sample {
    let ctx = fleet.ctx();
    let browsers = crate::driver::browsers_memory(ctx.launcher.chromedriver_pid());
    let pss_total: u64 = browsers.iter().map(|usage| usage.pss_bytes).sum();
    let pss_max = browsers.iter().map(|usage| usage.pss_bytes).max().unwrap_or(0);
    let sessions = fleet.session_count().await;
    metrics::gauge("SessionsOpen", sessions as f64, Unit::Count, &[]);
    metrics::gauge("ChromiumPssTotal", pss_total as f64, Unit::Bytes, &[]);
    metrics::gauge("ChromiumPssMax", pss_max as f64, Unit::Bytes, &[]);
    let limit = ctx.settings.memory_limit_bytes;
    let recycled = may_recycle && limit > 0 && pss_total > limit && sessions > 0;
    if recycled {
        tracing::warn!(pss_total, limit, sessions, "browser memory over the limit: recycling the sessions");
        metrics::count("MemoryRecycles", 1, &[]);
        let fleet = fleet.clone();
        // The drain waits for the sessions' safe points; the sampling goes on.
        tokio::spawn(async move { fleet.recycle_sessions().await });
    }
    Sample { sessions, pss_total, pss_max, recycled }
}
