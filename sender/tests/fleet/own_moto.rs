//! An AWS emulator (moto) of the test's own, on a free port, for tests that
//! restart it: moto keeps everything in memory, so a restart loses every
//! queue and bucket — what a restarted emulator does to a running system.
//! The shared emulator on 4566 serves other tests and must never go down.

use std::{
    net::{TcpListener, TcpStream},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

pub struct OwnMoto {
    port: u16,
    server: Option<Child>,
    log: std::path::PathBuf,
}

/// `MOTO_SERVER` (set by `infra/dev.sh`), else the project's venv.
fn moto_server() -> String {
    std::env::var("MOTO_SERVER").unwrap_or_else(|_| {
        let state = std::env::var("WA_STATE_DIR")
            .unwrap_or_else(|_| format!("{}/.cache/wa-campaigns", std::env::var("HOME").unwrap_or_default()));
        format!("{state}/venv/bin/moto_server")
    })
}

impl OwnMoto {
    pub fn start() -> Self {
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let log = std::env::temp_dir().join(format!("wa-moto-{port}.log"));
        let mut own = Self { port, server: None, log };
        own.run();
        own
    }

    /// `http://127.0.0.1:<port>`
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Stops the emulator and starts it again, empty, on the same port.
    pub fn restart(&mut self) {
        self.stop();
        self.run();
    }

    fn run(&mut self) {
        let log = std::fs::File::create(&self.log).unwrap();
        let server = Command::new(moto_server())
            .args(["-H", "127.0.0.1", "-p", &self.port.to_string()])
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("moto_server runs (infra/dev.sh installs it; MOTO_SERVER names it)");
        self.server = Some(server);
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(Instant::now() < deadline, "the test's moto did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn stop(&mut self) {
        let Some(mut server) = self.server.take() else { return };
        let _ = server.kill();
        let _ = server.wait();
        // The port is free again once nothing listens on it.
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", self.port)).is_ok() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for OwnMoto {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_file(&self.log);
    }
}
