//! Senders that share a host: a sender started in the place of one just
//! killed with -9 (its ops port, its profiles) comes up at once and carries
//! its campaign on; an ops port still held is waited for, and named.

use std::{
    ffi::{OsStr, OsString},
    os::unix::ffi::OsStrExt,
    path::PathBuf,
    process::{Child, Command},
    time::{Duration, Instant},
};

use reqwest::Method;
use shared::repo::session_leases;

use crate::{
    campaign::{campaign_with_recipients, nobody_twice, start_and_wait_for},
    stack::{events_until, eventually, Stack},
};

#[tokio::test]
async fn a_sender_started_on_the_port_of_one_just_killed_takes_its_campaign_over() {
    let mut stack = Stack::start().await;
    let first = stack.spawn_sender("first");
    let token = stack.customer_with_package().await;
    let (id, phones) = campaign_with_recipients(&stack, &token, 6).await;
    let mut socket = stack.websocket(id, &token).await;
    start_and_wait_for(&stack, &token, id, &mut socket, 2).await;
    let lease = session_leases::campaign_owner(&stack.db, id).await.unwrap().expect("an owner");
    assert_eq!(lease.sender_id, first);

    let place = Place::of(&first).await;
    // A health checker's connection: the kill leaves it in TIME_WAIT on the port.
    ops_port_answers(&stack, &place, "the first sender's").await;
    let killed_at = Instant::now();
    stack.kill_sender_alone(&first);
    let successor = place.start_successor("second");
    ops_port_answers(&stack, &place, "the successor's").await;
    println!("recovery: kill -9 → successor's ops port answers after {:.1} s", killed_at.elapsed().as_secs_f64());

    let events = events_until(&mut socket, "completion_update", Duration::from_secs(120)).await;
    assert!(events.iter().all(|e| e["type"] != "qr_code"), "the takeover needed no new QR: {events:?}");
    let log = stack.sender_log(&successor.id);
    assert!(!log.contains("is taken"), "the port was free at once; its log:\n{log}");
    let took_over = log.lines().any(|line| {
        line.contains("session starting") && line.contains(&format!("\"account.id\":{}", lease.account_id))
    });
    assert!(took_over, "the successor ran the campaign's session; its log:\n{log}");
    // A message in flight at the kill is UNKNOWN (never sent again); every
    // other recipient got exactly one.
    nobody_twice(&stack, id, &phones, &["UNKNOWN"]).await;
    let (_, campaign) = stack.call(Method::GET, &format!("/api/campaigns/{id}"), &token, None).await;
    assert_eq!(campaign["campaign"]["status"], "COMPLETED", "{campaign}");
}

#[tokio::test]
async fn a_sender_whose_ops_port_is_still_held_says_so_and_waits_for_it() {
    let mut stack = Stack::start().await;
    let first = stack.spawn_sender("first");
    let place = Place::of(&first).await;
    stack.kill_sender(&first);
    // As a predecessor the kernel has not finished tearing down would.
    let holder = std::net::TcpListener::bind((std::net::Ipv4Addr::UNSPECIFIED, place.ops_port)).unwrap();
    let successor = place.start_successor("second");
    let said = eventually("the successor names the taken port", Duration::from_secs(10), || async {
        let log = stack.sender_log(&successor.id);
        log.lines()
            .find(|line| line.contains("is taken") && line.contains(&place.ops_port.to_string()))
            .map(str::to_owned)
    })
    .await;
    assert!(said.contains("SENDER_OPS_PORT"), "the line names the setting: {said}");
    drop(holder);
    ops_port_answers(&stack, &place, "the successor's").await;
}

/// Where a sender ran on this host: its environment (ops port and profiles
/// included), read from `/proc` while it runs. `Stack::spawn_sender` gives
/// each sender a port of its own; a sender restarted in place keeps it.
struct Place {
    environment: Vec<(OsString, OsString)>,
    ops_port: u16,
    scratch: PathBuf,
}

impl Place {
    async fn of(sender_id: &str) -> Self {
        let environment = eventually(&format!("sender {sender_id} running"), Duration::from_secs(10), || async {
            environment_of(sender_id)
        })
        .await;
        let get = |name: &str| {
            environment.iter().find(|(n, _)| n == name).map(|(_, v)| v.to_string_lossy().into_owned()).unwrap()
        };
        let ops_port = get("SENDER_OPS_PORT").parse().unwrap();
        let scratch = PathBuf::from(get("SENDER_PROFILE_DIR")).parent().unwrap().to_owned();
        Self { environment, ops_port, scratch }
    }

    /// Another sender in this place: the same environment but its own
    /// `SENDER_ID`; its log is `stack.sender_log(id)`.
    fn start_successor(&self, name: &str) -> Successor {
        let id = format!("{name}-{}", &uuid::Uuid::new_v4().simple().to_string()[..6]);
        let log_path = self.scratch.join(format!("{id}.log"));
        let log = std::fs::File::create(&log_path).unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_sender"))
            .env_clear()
            .envs(self.environment.iter().map(|(n, v)| (n, v)))
            .env("SENDER_ID", &id)
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("the sender binary runs");
        Successor { id, child, log: log_path }
    }
}

/// The environment of the running `sender` process named `sender_id`
/// (its browsers inherit it; their command line differs).
fn environment_of(sender_id: &str) -> Option<Vec<(OsString, OsString)>> {
    let binary = env!("CARGO_BIN_EXE_sender").as_bytes();
    let wanted = format!("SENDER_ID={sender_id}");
    std::fs::read_dir("/proc").ok()?.flatten().find_map(|entry| {
        let cmdline = std::fs::read(entry.path().join("cmdline")).ok()?;
        if cmdline.split(|b| *b == 0).next() != Some(binary) {
            return None;
        }
        let environ = std::fs::read(entry.path().join("environ")).ok()?;
        let pairs: Vec<&[u8]> = environ.split(|b| *b == 0).filter(|pair| !pair.is_empty()).collect();
        pairs.contains(&wanted.as_bytes()).then(|| {
            pairs
                .iter()
                .filter_map(|pair| {
                    let equals = pair.iter().position(|b| *b == b'=')?;
                    Some((OsStr::from_bytes(&pair[..equals]).into(), OsStr::from_bytes(&pair[equals + 1..]).into()))
                })
                .collect()
        })
    })
}

/// A sender this test started itself; killed with the test (its browsers
/// go with the `Stack`, whose scratch holds its profiles). A failing test
/// shows its log.
struct Successor {
    id: String,
    child: Child,
    log: PathBuf,
}

impl Drop for Successor {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let status = self.child.wait();
        if std::thread::panicking() {
            let log = std::fs::read_to_string(&self.log).unwrap_or_default();
            eprintln!("successor {} ({status:?}), its log:\n{log}", self.id);
        }
    }
}

async fn ops_port_answers(stack: &Stack, place: &Place, whose: &str) {
    let url = format!("http://127.0.0.1:{}/healthz", place.ops_port);
    eventually(&format!("{whose} ops port answering"), Duration::from_secs(20), || async {
        stack.http.get(&url).send().await.ok().filter(|r| r.status().is_success()).map(|_| ())
    })
    .await;
}
