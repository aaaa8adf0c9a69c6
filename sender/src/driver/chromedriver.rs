//! The chromedriver process: one per sender process, on a free local port,
//! serving every Chromium session of that sender. Stopping or dropping it
//! kills chromedriver and every browser it started, so a crashed session
//! or a failed test leaves no Chromium behind.
//!
//! A sender killed with -9 runs no destructor, so its children are also
//! tied to its life by the kernel: chromedriver (and the browsers it starts,
//! which inherit it) runs in a process group of its own, and a watchdog in
//! that group holds a pipe from the sender. When the sender dies, however it
//! dies, the kernel closes the pipe and the watchdog kills the group.
//! (`PR_SET_PDEATHSIG` alone would not do: it fires when the *thread* that
//! spawned the child ends, and Chromium's processes would not inherit it.)

use std::{
    net::{Ipv4Addr, TcpListener},
    path::{Path, PathBuf},
    process::Stdio,
    time::Duration,
};

use tokio::{net::TcpStream, process::Command, time::Instant};

use super::{process, DriverError};

/// How long chromedriver may take to listen.
const STARTUP: Duration = Duration::from_secs(10);

pub struct ChromeDriver {
    pid: u32,
    url: String,
    stopped: std::sync::atomic::AtomicBool,
    /// The write end of the watchdog's pipe: closing it (by hand, or the
    /// kernel when the sender dies) makes the watchdog kill the group.
    watchdog: std::sync::Mutex<Option<std::process::ChildStdin>>,
}

impl ChromeDriver {
    #[tracing::instrument(skip_all, fields(path = %path.display()))]
    pub async fn start(path: &Path) -> Result<Self, DriverError> {
        // A free port can be taken between asking and binding; try again then.
        let mut last_error = None;
        for _ in 0..3 {
            match Self::start_on(path, free_port()?).await {
                Ok(driver) => return Ok(driver),
                Err(err) => last_error = Some(err),
            }
        }
        Err(last_error.expect("at least one attempt"))
    }

    async fn start_on(path: &Path, port: u16) -> Result<Self, DriverError> {
        let start_error = |source| DriverError::ChromeDriverStart { path: PathBuf::from(path), source };
        let mut child = Command::new(path)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            // Its own group (id = its pid); the browsers it starts join it.
            .process_group(0)
            .spawn()
            .map_err(start_error)?;
        let pid = child.id().ok_or_else(|| start_error(std::io::Error::other("exited at once")))?;
        let watchdog = process::watch_group(pid);
        if let Err(err) = &watchdog {
            tracing::warn!(error = %err, "no watchdog for chromedriver: a sender killed with -9 would leave it behind");
        }
        // From here on, Drop cleans up whatever happens.
        let driver = Self {
            pid,
            url: format!("http://127.0.0.1:{port}"),
            stopped: std::sync::atomic::AtomicBool::new(false),
            watchdog: std::sync::Mutex::new(watchdog.ok()),
        };
        // chromedriver is reaped by this task; the handle is not kept, the
        // process is owned (and killed) by pid.
        tokio::spawn(async move {
            let _ = child.wait().await;
        });
        let deadline = Instant::now() + STARTUP;
        loop {
            if TcpStream::connect((Ipv4Addr::LOCALHOST, port)).await.is_ok() {
                tracing::debug!(port, pid, "chromedriver listening");
                return Ok(driver);
            }
            if !process::is_alive(pid) || Instant::now() >= deadline {
                return Err(DriverError::ChromeDriverNotReady { port });
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The WebDriver endpoint, `http://127.0.0.1:<port>`.
    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// Kills chromedriver and any browser still running under it, and waits
    /// (briefly) until they are gone.
    pub async fn stop(&self) {
        let pids = process::tree(self.pid);
        process::kill_all(&pids);
        self.release_watchdog();
        self.stopped.store(true, std::sync::atomic::Ordering::SeqCst);
        let deadline = Instant::now() + Duration::from_secs(5);
        while pids.iter().any(|&pid| process::is_alive(pid)) && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Drop for ChromeDriver {
    fn drop(&mut self) {
        if !self.stopped.load(std::sync::atomic::Ordering::SeqCst) {
            process::kill_all(&process::tree(self.pid));
        }
        self.release_watchdog();
    }
}

impl ChromeDriver {
    fn release_watchdog(&self) {
        if let Some(pipe) = self.watchdog.lock().ok().and_then(|mut pipe| pipe.take()) {
            process::release_group(pipe);
        }
    }
}

fn free_port() -> Result<u16, DriverError> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).map_err(DriverError::NoFreePort)?;
    Ok(listener.local_addr().map_err(DriverError::NoFreePort)?.port())
}
