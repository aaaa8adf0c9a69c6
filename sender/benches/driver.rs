//! WhatsApp driver figures on this machine, against the simulator (started
//! in-process) with real Chromium and chromedriver:
//! - per-message driver overhead for text sends back to back (no pause),
//!   p50/p99 over 50 messages: send link → chat → send → first tick;
//! - the same for attachments (10, with a caption);
//! - Chromium memory per session (RSS, PSS and private pages summed over
//!   the browser's process tree, from /proc) with 1 and with 5 sessions open
//!   at once. Summed RSS counts Chromium's shared code once per process;
//!   PSS splits it between sessions; private pages are what one more
//!   session adds to a host. The target is read against PSS at 5 sessions
//!   (a sender runs several) and against private pages.
//!
//! Run: `cargo bench -p sender --bench driver` (or `infra/dev.sh bench`).
//! Targets: ≤ 400 ms per text message, ≤ 250 MB per session.

use std::time::{Duration, Instant};

use sender::driver::{qr, DriverConfig, Launcher, LoginState, MemoryUsage, SendOutcome, WhatsAppSession};
use shared::domain::Phone;
use url::Url;
use wa_simulator::{ControlClient, RunningSimulator, SimulatorConfig};

const TEXTS: usize = 50;
const MEDIA: usize = 10;
const SESSIONS: usize = 5;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let simulator = RunningSimulator::start(SimulatorConfig::default()).await?;
    let control = simulator.control();
    let launcher = Launcher::start(DriverConfig::for_url(Url::parse(simulator.base_url())?)).await?;
    let profiles = tempfile::tempdir()?;
    let result = run(&launcher, &control, profiles.path()).await;
    launcher.shutdown().await;
    result
}

async fn run(launcher: &Launcher, control: &ControlClient, profiles: &std::path::Path) -> anyhow::Result<()> {
    let started = Instant::now();
    let first = logged_in(launcher, control, &profiles.join("session-0")).await?;
    println!("open + QR + scan + logged in: {:>8.0} ms", started.elapsed().as_secs_f64() * 1e3);

    // Warm-up: the first chat loads what later ones reuse.
    for i in 0..3 {
        send_text(&first, &phone(i), "warm-up").await?;
    }
    let mut texts = Vec::with_capacity(TEXTS);
    for i in 0..TEXTS {
        let text = format!("پیام شماره {i} — offer 🎉 https://example.com/o/{i}");
        let start = Instant::now();
        send_text(&first, &phone(i % 10), &text).await?;
        texts.push(start.elapsed());
    }
    report(&format!("text send ({TEXTS}, back to back)"), texts);

    let files = tempfile::tempdir()?;
    let photo = files.path().join("offer.png");
    std::fs::write(&photo, qr::render_png("benchmark photo")?)?;
    let mut media = Vec::with_capacity(MEDIA);
    for i in 0..MEDIA {
        let start = Instant::now();
        let outcome = first.send_media(&phone(i), &photo, "image/png", "پیشنهاد ویژه 🎁").await?;
        anyhow::ensure!(matches!(outcome, SendOutcome::Sent { .. }), "media send: {outcome:?}");
        media.push(start.elapsed());
    }
    report(&format!("media send ({MEDIA}, with caption)"), media);
    let sent = control.messages(None).await?.len();
    anyhow::ensure!(sent == 3 + TEXTS + MEDIA, "the simulator received {sent} messages");

    print_memory("memory, 1 session", &[first.memory()]);

    let mut sessions = vec![first];
    for n in 1..SESSIONS {
        let session = logged_in(launcher, control, &profiles.join(format!("session-{n}"))).await?;
        for i in 0..3 {
            send_text(&session, &phone(i), "hello").await?;
        }
        sessions.push(session);
    }
    let usages: Vec<MemoryUsage> = sessions.iter().map(WhatsAppSession::memory).collect();
    print_memory(&format!("memory, {SESSIONS} sessions"), &usages);
    for session in sessions {
        session.close().await?;
    }
    Ok(())
}

async fn logged_in(
    launcher: &Launcher,
    control: &ControlClient,
    dir: &std::path::Path,
) -> anyhow::Result<WhatsAppSession> {
    let session = launcher.open(dir).await?;
    let LoginState::Qr(qr) = session.login_state().await? else { anyhow::bail!("a new profile shows the QR") };
    control.scan(&qr, None).await?;
    let state = session.next_login_state(&LoginState::Qr(qr), Duration::from_secs(10)).await?;
    anyhow::ensure!(state == LoginState::LoggedIn, "not logged in: {state:?}");
    Ok(session)
}

async fn send_text(session: &WhatsAppSession, to: &Phone, text: &str) -> anyhow::Result<()> {
    let outcome = session.send_text(to, text).await?;
    anyhow::ensure!(matches!(outcome, SendOutcome::Sent { .. }), "text send: {outcome:?}");
    Ok(())
}

fn phone(i: usize) -> Phone {
    Phone::parse(&format!("98912100{i:04}")).expect("a valid Iranian mobile number")
}

fn report(name: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let at = |q: f64| samples[((samples.len() as f64 * q).ceil() as usize).clamp(1, samples.len()) - 1];
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let mean = samples.iter().sum::<Duration>() / samples.len() as u32;
    println!(
        "{name:<36} p50 {:>7.1} ms   p99 {:>7.1} ms   mean {:>7.1} ms   max {:>7.1} ms",
        ms(at(0.50)),
        ms(at(0.99)),
        ms(mean),
        ms(samples[samples.len() - 1]),
    );
}

fn print_memory(name: &str, usages: &[MemoryUsage]) {
    let mb = |bytes: u64| bytes as f64 / (1024.0 * 1024.0);
    let count = usages.len() as u64;
    let rss: u64 = usages.iter().map(|u| u.rss_bytes).sum();
    let pss: u64 = usages.iter().map(|u| u.pss_bytes).sum();
    let private: u64 = usages.iter().map(|u| u.private_bytes).sum();
    let max_rss = usages.iter().map(|u| u.rss_bytes).max().unwrap_or(0);
    let processes = usages.iter().map(|u| u.processes).sum::<usize>() as u64;
    println!(
        "{name:<36} per session: RSS {:>6.1} MB (max {:>6.1})   PSS {:>6.1} MB   private {:>6.1} MB   processes {:.1}",
        mb(rss / count),
        mb(max_rss),
        mb(pss / count),
        mb(private / count),
        processes as f64 / count as f64,
    );
}
