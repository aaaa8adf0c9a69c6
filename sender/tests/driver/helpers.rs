//! A simulator, a launcher (chromedriver) and a scratch directory for
//! browser profiles per test; `finish` checks that no browser outlives it.

use std::{path::PathBuf, time::Duration};

use sender::driver::{DriverConfig, Launcher, LoginState, Timeouts, WhatsAppSession};
use shared::domain::Phone;
use url::Url;
use wa_simulator::{ControlClient, Markup, RunningSimulator, SimulatorConfig};

pub struct Harness {
    /// Serves until the harness is dropped.
    simulator: RunningSimulator,
    pub control: ControlClient,
    pub launcher: Launcher,
    pub profiles: tempfile::TempDir,
}

/// Timings short enough for tests, long enough for a busy 2-core machine.
pub fn quick_simulator(markup: Markup) -> SimulatorConfig {
    SimulatorConfig::quick(markup)
}

/// Generous waits: a loaded 2-core machine is slow, and no test waits for
/// them to pass except the drift tests, which set their own.
pub fn test_timeouts() -> Timeouts {
    Timeouts { page: Duration::from_secs(20), send: Duration::from_secs(10), media: Duration::from_secs(20) }
}

/// Runs an `async fn(Markup)` test once per markup generation of the
/// simulator: `mod <name> { m2026, m2025, legacy }`.
#[macro_export]
macro_rules! on_every_markup {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test]
            async fn m2026() {
                super::$name(wa_simulator::Markup::M2026).await
            }
            #[tokio::test]
            async fn m2025() {
                super::$name(wa_simulator::Markup::M2025).await
            }
            #[tokio::test]
            async fn legacy() {
                super::$name(wa_simulator::Markup::Legacy).await
            }
        }
    )*};
}

impl Harness {
    pub async fn start(markup: Markup) -> Self {
        Self::with(quick_simulator(markup)).await
    }

    pub async fn with(simulator: SimulatorConfig) -> Self {
        Self::with_timeouts(simulator, test_timeouts()).await
    }

    pub async fn with_timeouts(simulator: SimulatorConfig, timeouts: Timeouts) -> Self {
        let simulator = RunningSimulator::start(simulator).await.expect("simulator starts");
        let mut config = DriverConfig::for_url(Url::parse(simulator.base_url()).unwrap());
        config.timeouts = timeouts;
        let launcher = Launcher::start(config).await.expect("chromedriver starts");
        let control = simulator.control();
        Self { simulator, control, launcher, profiles: tempfile::tempdir().unwrap() }
    }

    /// Where the simulated WhatsApp Web serves.
    pub fn base_url(&self) -> &str {
        self.simulator.base_url()
    }

    pub fn profile(&self, name: &str) -> PathBuf {
        self.profiles.path().join(name)
    }

    pub async fn open(&self, name: &str) -> WhatsAppSession {
        self.launcher.open(&self.profile(name)).await.expect("WhatsApp Web opens")
    }

    /// Opens a session and links it by "scanning" its QR with the phone.
    pub async fn logged_in(&self, name: &str) -> WhatsAppSession {
        let session = self.open(name).await;
        let LoginState::Qr(qr) = session.login_state().await.unwrap() else { panic!("a new profile shows the QR") };
        self.control.scan(&qr, None).await.expect("the QR scans");
        let state = session.next_login_state(&LoginState::Qr(qr), Duration::from_secs(15)).await.unwrap();
        assert_eq!(state, LoginState::LoggedIn);
        session
    }

    /// Stops chromedriver and checks that neither it nor any browser that
    /// used a profile of this test still runs.
    pub async fn finish(self) {
        let chromedriver = self.launcher.chromedriver_pid();
        self.launcher.shutdown().await;
        let left = processes_mentioning(self.profiles.path().to_str().unwrap());
        assert!(left.is_empty(), "browser processes left behind: {left:?}");
        assert!(!running(chromedriver), "chromedriver {chromedriver} left behind");
    }
}

pub fn phone(digits: &str) -> Phone {
    Phone::parse(digits).expect("a valid test number")
}

/// Whether `pid` runs (a zombie has exited; it only waits to be reaped).
fn running(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .is_ok_and(|stat| stat.rsplit(") ").next().is_some_and(|rest| !rest.starts_with('Z')))
}

/// Running processes whose command line contains `needle`.
pub fn processes_mentioning(needle: &str) -> Vec<u32> {
    std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/cmdline"))
                .is_ok_and(|cmd| String::from_utf8_lossy(&cmd).contains(needle))
        })
        .collect()
}
