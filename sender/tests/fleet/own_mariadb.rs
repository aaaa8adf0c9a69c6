//! A MariaDB server of the test's own, on a free port with a throw-away
//! data directory, for tests that restart the database: the shared server
//! on 3306 serves other tests at the same time and must never go down.

use std::{
    net::TcpListener,
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

pub struct OwnMariaDb {
    dir: tempfile::TempDir,
    port: u16,
    server: Option<Child>,
}

impl OwnMariaDb {
    /// A fresh server (root without a password over TCP), running.
    pub fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let installed = Command::new("mariadb-install-db")
            .args(["--no-defaults", "--auth-root-authentication-method=normal", "--skip-test-db", "--user=root"])
            .arg(format!("--datadir={}", dir.path().join("data").display()))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("mariadb-install-db runs");
        assert!(installed.success(), "mariadb-install-db failed");
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let mut own = Self { dir, port, server: None };
        own.run();
        own
    }

    /// `mysql://root@127.0.0.1:<port>`
    pub fn url(&self) -> String {
        format!("mysql://root@127.0.0.1:{}", self.port)
    }

    /// Stops the server cleanly (SIGTERM, as a restart or an upgrade does)
    /// and starts it again on the same data and port.
    pub fn restart(&mut self) {
        self.stop(libc::SIGTERM);
        self.run();
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn run(&mut self) {
        let log = std::fs::File::create(self.dir.path().join("server.log")).unwrap();
        let server = Command::new("/usr/sbin/mariadbd")
            .args(["--no-defaults", "--user=root", "--bind-address=127.0.0.1", "--skip-name-resolve", "--skip-log-bin"])
            .args(["--innodb-buffer-pool-size=32M", "--max-connections=200"])
            .arg(format!("--datadir={}", self.data().display()))
            .arg(format!("--socket={}", self.dir.path().join("mysqld.sock").display()))
            .arg(format!("--pid-file={}", self.dir.path().join("mysqld.pid").display()))
            .arg(format!("--port={}", self.port))
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("mariadbd runs");
        self.server = Some(server);
        let deadline = Instant::now() + Duration::from_secs(60);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(Instant::now() < deadline, "the test's MariaDB did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn stop(&mut self, signal: i32) {
        let Some(mut server) = self.server.take() else { return };
        unsafe { libc::kill(server.id() as i32, signal) };
        let deadline = Instant::now() + Duration::from_secs(60);
        while server.try_wait().unwrap().is_none() {
            if Instant::now() > deadline {
                let _ = server.kill();
                let _ = server.wait();
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for OwnMariaDb {
    fn drop(&mut self) {
        self.stop(libc::SIGKILL);
    }
}
