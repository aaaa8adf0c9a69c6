//! `infra/dev.sh bench-pacing`: a 200-recipient text campaign through the
//! real sender, Chromium and the simulator at the fastest settings the
//! governor allows (the shortest interval, a warmed-up number), with every
//! length of time divided by `BENCH_SCALE` (default 30): the floor, the
//! jitter, the long breaks, typing and the hour of the hourly cap. Prints
//! messages per hour (measured, and scaled back to real time) and the
//! distribution of the gaps between arrivals next to the floor. Ignored in
//! the test suite (minutes long).

use std::time::{Duration, Instant};

use serde_json::json;

use crate::{
    campaign::connect_whatsapp,
    governor::{start, text_campaign},
    stack::{events_until, Stack},
};

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
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
    assert!(gaps[0] >= floor_ms as f64, "no gap under the floor");
}
