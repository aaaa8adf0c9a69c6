//! WhatsApp driver figures on this machine, against the simulator (started
//! in-process, with the real site's boot delay: every full page load shows
//! the loading screen for `WA_SIM_BOOT_DELAY_MS`, default 3 s) with real
//! Chromium and chromedriver:
//! - per-message driver overhead for text sends back to back (no pause),
//!   open chat → type → send → first tick, side by side: chats opened
//!   inside the running app (50 messages) and by the reloading `/send`
//!   link (10 messages, each paying the boot delay);
//! - the same for attachments with a caption (10 in-app, 5 reloading);
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

use sender::driver::{qr, ChatOpening, DriverConfig, Launcher, LoginState, MemoryUsage, SendOutcome, WhatsAppSession};
use shared::domain::Phone;
use url::Url;
use wa_simulator::{ControlClient, RunningSimulator, SimulatorConfig};

const TEXTS: usize = 50;
const MEDIA: usize = 10;
/// Each reloading send costs the boot delay: fewer samples.
const RELOAD_TEXTS: usize = 10;
const RELOAD_MEDIA: usize = 5;
const SESSIONS: usize = 5;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // The real site's timings (`WA_SIM_*` may override them).
    let config = SimulatorConfig::from_env()?;
    println!("simulator: {} markup, boot delay {} ms per full page load", config.markup, config.boot_delay.as_millis());
    let simulator = RunningSimulator::start(config).await?;
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
    println!("open + QR + scan + logged in: {:>8.0} ms (one full page load)", started.elapsed().as_secs_f64() * 1e3);

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
    first.set_chat_opening(ChatOpening::Reload);
    let mut reloaded = Vec::with_capacity(RELOAD_TEXTS);
    for i in 0..RELOAD_TEXTS {
        let text = format!("پیام شماره {i} — offer 🎉 https://example.com/o/{i}");
        let start = Instant::now();
        send_text(&first, &phone(i % 10), &text).await?;
        reloaded.push(start.elapsed());
    }
    first.set_chat_opening(ChatOpening::InApp);
    side_by_side("text send, back to back", texts, reloaded);

    let files = tempfile::tempdir()?;
    let photo = files.path().join("offer.png");
    std::fs::write(&photo, qr::render_png("benchmark photo")?)?;
    let mut media = Vec::with_capacity(MEDIA);
    let mut media_reloaded = Vec::with_capacity(RELOAD_MEDIA);
    for (opening, count, samples) in
        [(ChatOpening::InApp, MEDIA, &mut media), (ChatOpening::Reload, RELOAD_MEDIA, &mut media_reloaded)]
    {
        first.set_chat_opening(opening);
        for i in 0..count {
            let start = Instant::now();
            let outcome = first.send_media(&phone(i), &photo, "image/png", "پیشنهاد ویژه 🎁").await?;
            anyhow::ensure!(matches!(outcome, SendOutcome::Sent { .. }), "media send: {outcome:?}");
            samples.push(start.elapsed());
        }
    }
    first.set_chat_opening(ChatOpening::InApp);
    side_by_side("media send, with caption", media, media_reloaded);
    let sent = control.messages(None).await?.len();
    let expected = 3 + TEXTS + RELOAD_TEXTS + MEDIA + RELOAD_MEDIA;
    anyhow::ensure!(sent == expected, "the simulator received {sent} messages, not {expected}");
    let opens = first.chat_opens();
    println!("chats opened: {} in-app, {} by reloading", opens.in_app, opens.reloads);
    anyhow::ensure!(opens.reloads == (RELOAD_TEXTS + RELOAD_MEDIA) as u64, "in-app opens fell back: {opens:?}");

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

/// The same operation with chats opened in-app and by reloading, one line
/// each, then what reloading adds per message.
fn side_by_side(name: &str, in_app: Vec<Duration>, reloading: Vec<Duration>) {
    let in_app_p50 = report(&format!("{name}, in-app ({})", in_app.len()), in_app);
    let reload_p50 = report(&format!("{name}, reload ({})", reloading.len()), reloading);
    println!("{:<44} +{:.0} ms per message (p50)", format!("{name}: reloading costs"), reload_p50 - in_app_p50);
}

/// Prints the figures; returns the p50 in milliseconds.
fn report(name: &str, mut samples: Vec<Duration>) -> f64 {
    samples.sort();
    let at = |q: f64| samples[((samples.len() as f64 * q).ceil() as usize).clamp(1, samples.len()) - 1];
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let mean = samples.iter().sum::<Duration>() / samples.len() as u32;
    println!(
        "{name:<44} p50 {:>7.1} ms   p99 {:>7.1} ms   mean {:>7.1} ms   max {:>7.1} ms",
        ms(at(0.50)),
        ms(at(0.99)),
        ms(mean),
        ms(samples[samples.len() - 1]),
    );
    ms(at(0.50))
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
