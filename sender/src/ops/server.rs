//! The sender's local health server on `SENDER_OPS_PORT`, for the ECS
//! container health check, a load balancer or a self-hosted Prometheus:
//!
//! - `GET /metrics`: everything [`shared::metrics`] recorded, as Prometheus text;
//! - `GET /healthz`: live (the process answers);
//! - `GET /readyz`: ready — the database, this sender's inbox queue and
//!   chromedriver all answer; 503 naming what does not.
//!
//! It answers nothing else and changes nothing. Its port is bound at start
//! ([`bind`]); a port still held (a sender killed a moment ago on this host,
//! or a neighbour on the same port) is waited for briefly, then named.

use std::{
    net::{Ipv4Addr, SocketAddr},
    sync::Arc,
    time::{Duration, Instant},
};

use axum::{
    extract::State,
    http::{header, StatusCode},
    response::{IntoResponse, Response},
    routing::get,
    Json, Router,
};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::fleet::Fleet;

/// How long one readiness check may take.
const CHECK_TIMEOUT: Duration = Duration::from_secs(3);

/// How long a taken ops port is waited for: a sender killed with -9 holds
/// its port until the kernel has finished tearing the process down.
const BIND_PATIENCE: Duration = Duration::from_secs(10);
const BIND_RETRY_EVERY: Duration = Duration::from_millis(250);

pub fn router(fleet: Arc<Fleet>) -> Router {
    Router::new()
        .route("/metrics", get(metrics))
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(ready))
        .with_state(fleet)
}

/// Serves on the listener bound at start (none when the port is 0).
pub async fn run(fleet: Arc<Fleet>) {
    let Some(listener) = fleet.ctx().take_ops_listener() else { return };
    let listener = match tokio::net::TcpListener::from_std(listener) {
        Ok(listener) => listener,
        Err(err) => {
            tracing::error!(error = %err, "the health server could not start");
            return;
        }
    };
    if let Err(err) = axum::serve(listener, router(fleet)).await {
        tracing::error!(error = %err, "the health server stopped");
    }
}

/// Listens on `port` on every interface (none when it is 0), waiting up
/// to [`BIND_PATIENCE`] while another process holds it.
pub async fn bind(port: u16) -> anyhow::Result<Option<std::net::TcpListener>> {
    bind_within(port, BIND_PATIENCE).await
}

async fn bind_within(port: u16, patience: Duration) -> anyhow::Result<Option<std::net::TcpListener>> {
    if port == 0 {
        return Ok(None);
    }
    let deadline = Instant::now() + patience;
    let mut waiting = false;
    loop {
        match listen(port) {
            Ok(listener) => {
                if waiting {
                    tracing::info!(port, "the ops port is free now");
                }
                return Ok(Some(listener));
            }
            Err(err) if err.kind() == std::io::ErrorKind::AddrInUse => {
                if Instant::now() >= deadline {
                    anyhow::bail!(
                        "SENDER_OPS_PORT: port {port} is still taken after {patience:?}; give each sender on this \
                         host a port of its own (0: no health server)"
                    );
                }
                if !waiting {
                    tracing::warn!(
                        port,
                        "ops port {port} is taken (another sender on this host, or one killed a moment ago); \
                         trying again for {patience:?}; SENDER_OPS_PORT sets another port (0: none)"
                    );
                    waiting = true;
                }
                tokio::time::sleep(BIND_RETRY_EVERY).await;
            }
            Err(err) => anyhow::bail!("SENDER_OPS_PORT: cannot listen on port {port}: {err}"),
        }
    }
}

fn listen(port: u16) -> std::io::Result<std::net::TcpListener> {
    let socket = tokio::net::TcpSocket::new_v4()?;
    // The connections of a predecessor killed with -9 linger in TIME_WAIT;
    // they must not keep the port from us (a live listener still does).
    socket.set_reuseaddr(true)?;
    socket.bind(SocketAddr::from((Ipv4Addr::UNSPECIFIED, port)))?;
    socket.listen(1024)?.into_std()
}

async fn metrics() -> Response {
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], shared::metrics::prometheus_text()).into_response()
}

async fn ready(State(fleet): State<Arc<Fleet>>) -> Response {
    let ctx = fleet.ctx();
    let (database, queue, browser) = tokio::join!(
        check(async { shared::db::ping(&ctx.db).await.map_err(|e| e.to_string()) }),
        check(async { ctx.queues.depth(&ctx.inbox_url).await.map(|_| ()).map_err(|e| e.to_string()) }),
        check(chromedriver_ready(ctx.launcher.webdriver_url())),
    );
    let ready = database.is_ok() && queue.is_ok() && browser.is_ok();
    let show = |result: &Result<(), String>| match result {
        Ok(()) => "ok".to_owned(),
        Err(err) => err.clone(),
    };
    let body = json!({
        "ready": ready,
        "checks": { "database": show(&database), "queue": show(&queue), "browser": show(&browser) },
    });
    let status = if ready { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (status, Json(body)).into_response()
}

async fn check(probe: impl std::future::Future<Output = Result<(), String>>) -> Result<(), String> {
    tokio::time::timeout(CHECK_TIMEOUT, probe).await.unwrap_or_else(|_| Err(format!("no answer in {CHECK_TIMEOUT:?}")))
}

/// chromedriver's WebDriver `GET /status` says `"ready": true` while it can
/// start browsers.
async fn chromedriver_ready(url: &str) -> Result<(), String> {
    let address = url.trim_start_matches("http://").trim_end_matches('/');
    let body = get_ok(address, "/status").await.map_err(|e| format!("chromedriver: {e}"))?;
    let compact: String = body.chars().filter(|c| !c.is_whitespace()).collect();
    if compact.contains("\"ready\":true") {
        Ok(())
    } else {
        Err("chromedriver is not ready".into())
    }
}

/// `GET path` on a local `host:port` over plain HTTP/1.1: the body when the
/// status is 200, else why not. Reads up to `Content-Length` (chromedriver
/// keeps the connection open even when asked to close it). Enough for small
/// answers on localhost, without an HTTP client in the sender.
pub async fn get_ok(address: &str, path: &str) -> Result<String, String> {
    let exchange = async {
        let mut stream = tokio::net::TcpStream::connect(address).await?;
        let request = format!("GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n");
        stream.write_all(request.as_bytes()).await?;
        let mut answer = Vec::new();
        let mut chunk = [0u8; 4096];
        loop {
            let read = stream.read(&mut chunk).await?;
            if read == 0 {
                break;
            }
            answer.extend_from_slice(&chunk[..read]);
            if complete(&answer) {
                break;
            }
        }
        Ok::<_, std::io::Error>(String::from_utf8_lossy(&answer).into_owned())
    };
    let answer = tokio::time::timeout(CHECK_TIMEOUT, exchange)
        .await
        .map_err(|_| format!("no answer in {CHECK_TIMEOUT:?}"))?
        .map_err(|e| e.to_string())?;
    let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
    match head.split_whitespace().nth(1) {
        Some("200") => Ok(body.to_owned()),
        Some(status) => Err(format!("status {status}")),
        None => Err("not an HTTP answer".into()),
    }
}

/// Whether `answer` holds the headers and the whole `Content-Length` body.
fn complete(answer: &[u8]) -> bool {
    let Some(end) = answer.windows(4).position(|w| w == b"\r\n\r\n") else { return false };
    let head = String::from_utf8_lossy(&answer[..end]).to_ascii_lowercase();
    let length = head.lines().find_map(|line| line.strip_prefix("content-length:")?.trim().parse::<usize>().ok());
    length.is_some_and(|length| answer.len() >= end + 4 + length)
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};

    use super::*;

    fn hold_a_port() -> (std::net::TcpListener, u16) {
        let holder = std::net::TcpListener::bind((Ipv4Addr::UNSPECIFIED, 0)).unwrap();
        let port = holder.local_addr().unwrap().port();
        (holder, port)
    }

    #[tokio::test]
    async fn port_0_serves_nothing() {
        assert!(bind_within(0, Duration::ZERO).await.unwrap().is_none());
    }

    #[tokio::test]
    async fn a_port_freed_while_waiting_is_bound() {
        let (holder, port) = hold_a_port();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(600)).await;
            drop(holder);
        });
        let listener = bind_within(port, Duration::from_secs(5)).await.unwrap().expect("a listener");
        assert_eq!(listener.local_addr().unwrap().port(), port);
    }

    #[tokio::test]
    async fn a_port_that_stays_taken_fails_naming_the_port_and_the_setting() {
        let (_holder, port) = hold_a_port();
        let err = bind_within(port, Duration::from_millis(600)).await.unwrap_err().to_string();
        assert!(err.contains("SENDER_OPS_PORT") && err.contains(&port.to_string()), "{err}");
    }

    #[tokio::test]
    async fn a_port_whose_connections_linger_in_time_wait_binds_at_once() {
        let (holder, port) = hold_a_port();
        let mut client = std::net::TcpStream::connect((Ipv4Addr::LOCALHOST, port)).unwrap();
        let (mut accepted, _) = holder.accept().unwrap();
        // The side that closes first keeps the connection in TIME_WAIT.
        accepted.write_all(b"bye").unwrap();
        drop(accepted);
        let mut answer = Vec::new();
        client.read_to_end(&mut answer).unwrap();
        drop(client);
        drop(holder);
        assert!(bind_within(port, Duration::ZERO).await.unwrap().is_some());
    }
}
