//! `infra/dev.sh bench-pacing`: a 200-recipient text campaign through the
//! real sender, Chromium and the simulator at the fastest settings the
//! governor allows (the shortest interval, a warmed-up number), with every
//! length of time divided by `BENCH_SCALE` (default 30): the floor, the
//! jitter, the long breaks, typing and the hour of the hourly cap. Prints
//! messages per hour (measured, and scaled back to real time), the
//! distribution of the gaps between arrivals next to the floor with its
//! coefficient of variation (a person's pauses vary: 0.3 or more), and the
//! most messages in any rolling quarter of an hour next to the quarter of
//! the hourly cap the governor allows there. Ignored in the test suite
//! (minutes long).

use std::time::{Duration, Instant};

use chrono::{DateTime, TimeDelta, Utc};
use serde_json::json;
use shared::governor::{caps::burst_cap, GovernorSettings};

use crate::{
    campaign::connect_whatsapp,
    governor::{start, text_campaign},
    stack::{events_until, Stack},
};

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn coefficient_of_variation(values: &[f64]) -> f64 {
    let mean = values.iter().sum::<f64>() / values.len() as f64;
    let variance = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / values.len() as f64;
    variance.sqrt() / mean
}

/// The most of `times` (sorted) within any `window` ending at one of them.
fn most_within(times: &[DateTime<Utc>], window: TimeDelta) -> usize {
    let mut oldest = 0;
    let mut most = 0;
    for (newest, at) in times.iter().enumerate() {
        while *at - times[oldest] >= window {
            oldest += 1;
        }
        most = most.max(newest - oldest + 1);
    }
    most
}

#[tokio::test]
#[ignore = "a benchmark: infra/dev.sh bench-pacing"]
async fn bench_pacing() {
    let scale: u64 = std::env::var("BENCH_SCALE").ok().and_then(|s| s.parse().ok()).unwrap_or(30);
    let floor_ms = 5_000 / scale;
    let mut stack = Stack::start().await;
    stack.set_sender_env("SEND_INTERVAL_OVERRIDE_MS", &floor_ms.to_string());
    stack.set_sender_env("GOVERNOR_BREAK_MS", &format!("{}-{}", 60_000 / scale, 180_000 / scale));
    stack.set_sender_env("TYPING_MS", &format!("{}-{}", 1_000 / scale, 6_000 / scale));
    stack.set_sender_env("GOVERNOR_HOUR_SECONDS", &(3_600 / scale).to_string());
    stack.set_sender_env("GOVERNOR_WARM_UP_RAMP", "none");
    // The real hourly cap (the stack lifts it for other tests): its quarter-hour share is measured.
    stack.set_sender_env("GOVERNOR_HOURLY_CAP", "60");
    stack.spawn_sender("bench");
    let token = stack.customer_with_package().await;
    let (id, _) = text_campaign(&stack, &token, 100_000, 200, json!({})).await;
    let mut socket = stack.websocket(id, &token).await;
    connect_whatsapp(&stack, &token, id, &mut socket).await;
    let started = Instant::now();
    start(&stack, &token, id).await;
    events_until(&mut socket, "completion_update", Duration::from_secs(3_600)).await;
    let wall = started.elapsed();

    let mut messages = stack.simulator.control().messages(None).await.unwrap();
    messages.sort_by_key(|m| m.sent_at);
    let span = (messages.last().unwrap().sent_at - messages[0].sent_at).to_std().unwrap().as_secs_f64();
    let mut gaps: Vec<f64> =
        messages.windows(2).map(|p| (p[1].sent_at - p[0].sent_at).to_std().unwrap().as_secs_f64() * 1000.0).collect();
    gaps.sort_by(f64::total_cmp);
    let per_hour = (messages.len() - 1) as f64 / span * 3_600.0;
    let typing: f64 = messages.iter().map(|m| m.typing_ms as f64).sum::<f64>() / messages.len() as f64;
    println!("pacing bench: {} messages, time compressed {scale}x, wall {:.0} s", messages.len(), wall.as_secs_f64());
    println!("  messages per hour: {per_hour:.0} measured; {:.0} in real time (÷{scale})", per_hour / scale as f64);
    println!(
        "  gaps (ms): floor {floor_ms} | min {:.0} | p50 {:.0} | p90 {:.0} | max {:.0}",
        gaps[0],
        percentile(&gaps, 0.5),
        percentile(&gaps, 0.9),
        gaps[gaps.len() - 1]
    );
    println!(
        "  in real time (s): floor {:.1} | min {:.1} | p50 {:.1} | p90 {:.1} | max {:.1}; typing seen {:.0} ms on average",
        floor_ms as f64 * scale as f64 / 1000.0,
        gaps[0] * scale as f64 / 1000.0,
        percentile(&gaps, 0.5) * scale as f64 / 1000.0,
        percentile(&gaps, 0.9) * scale as f64 / 1000.0,
        gaps[gaps.len() - 1] * scale as f64 / 1000.0,
        typing
    );
    let cv = coefficient_of_variation(&gaps);
    println!("  coefficient of variation of the gaps: {cv:.2} (0.3 or more looks like a person)");
    let arrivals: Vec<DateTime<Utc>> = messages.iter().map(|m| m.sent_at).collect();
    let quarter_hour = TimeDelta::milliseconds(900_000 / scale as i64);
    // The sender inherits this process's environment: the same cap applies.
    let settings = GovernorSettings::from_source(|name| std::env::var(name).ok()).expect("governor settings");
    let allowed = burst_cap(settings.hourly_cap);
    println!(
        "  most in any rolling 15 minutes ({} s compressed): {} (allowed: {allowed}, a quarter of the hourly cap)",
        quarter_hour.num_milliseconds() as f64 / 1000.0,
        most_within(&arrivals, quarter_hour)
    );
    assert!(gaps[0] >= floor_ms as f64, "no gap under the floor");
}
