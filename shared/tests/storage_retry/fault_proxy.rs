//! A small HTTP proxy in front of the AWS emulator that refuses the first
//! `n` PUTs the way S3 does under throttling (503 SlowDown) and forwards
//! everything else unchanged, so a real S3 client meets a real refusal.

use std::{
    net::SocketAddr,
    sync::{
        atomic::{AtomicU32, Ordering},
        Arc,
    },
};

use axum::{
    body::{to_bytes, Body},
    extract::{Request, State},
    http::{Method, StatusCode},
    response::Response,
};

pub struct FaultProxy {
    pub url: String,
    state: Arc<ProxyState>,
}

struct ProxyState {
    upstream: String,
    refuse_puts: AtomicU32,
    refusal_status: StatusCode,
    puts_seen: AtomicU32,
    puts_stored: AtomicU32,
    first_refusal: std::sync::Mutex<Option<std::time::Instant>>,
    http: reqwest::Client,
}

impl FaultProxy {
    /// Refuses the first `refuse_puts` PUTs with `status` (503 is S3's
    /// SlowDown) and forwards the rest to `upstream`.
    pub async fn start(upstream: &str, refuse_puts: u32, status: StatusCode) -> Self {
        let state = Arc::new(ProxyState {
            upstream: upstream.trim_end_matches('/').to_owned(),
            refuse_puts: AtomicU32::new(refuse_puts),
            refusal_status: status,
            puts_seen: AtomicU32::new(0),
            puts_stored: AtomicU32::new(0),
            first_refusal: std::sync::Mutex::new(None),
            http: reqwest::Client::new(),
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address: SocketAddr = listener.local_addr().unwrap();
        let app = axum::Router::new().fallback(forward).with_state(state.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { url: format!("http://{address}"), state }
    }

    /// Every PUT that reached the proxy, refused or not.
    #[allow(dead_code)] // each test crate that includes this uses part of it
    pub fn puts_seen(&self) -> u32 {
        self.state.puts_seen.load(Ordering::SeqCst)
    }

    /// PUTs forwarded and answered 2xx by the emulator.
    #[allow(dead_code)]
    pub fn puts_stored(&self) -> u32 {
        self.state.puts_stored.load(Ordering::SeqCst)
    }

    /// When the first PUT was refused.
    #[allow(dead_code)]
    pub fn first_refusal(&self) -> Option<std::time::Instant> {
        *self.state.first_refusal.lock().unwrap()
    }
}

async fn forward(State(state): State<Arc<ProxyState>>, request: Request) -> Response {
    if request.method() == Method::PUT {
        state.puts_seen.fetch_add(1, Ordering::SeqCst);
        let refused = state.refuse_puts.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1)).is_ok();
        if refused {
            state.first_refusal.lock().unwrap().get_or_insert_with(std::time::Instant::now);
            return refusal(state.refusal_status);
        }
    }
    let is_put = request.method() == Method::PUT;
    let (parts, body) = request.into_parts();
    let body = to_bytes(body, usize::MAX).await.unwrap();
    let path = parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
    let mut upstream = state.http.request(parts.method.clone(), format!("{}{path}", state.upstream));
    for (name, value) in &parts.headers {
        // reqwest sets these itself for the upstream connection.
        if !matches!(name.as_str(), "host" | "content-length" | "transfer-encoding" | "connection") {
            upstream = upstream.header(name, value);
        }
    }
    let answer = upstream.body(body).send().await.unwrap();
    if is_put && answer.status().is_success() {
        state.puts_stored.fetch_add(1, Ordering::SeqCst);
    }
    let mut response = Response::builder().status(answer.status().as_u16());
    for (name, value) in answer.headers() {
        if !matches!(name.as_str(), "content-length" | "transfer-encoding" | "connection") {
            response = response.header(name, value);
        }
    }
    response.body(Body::from(answer.bytes().await.unwrap())).unwrap()
}

/// What S3 answers when it refuses: an XML error with its code.
fn refusal(status: StatusCode) -> Response {
    let code = if status == StatusCode::SERVICE_UNAVAILABLE { "SlowDown" } else { "AccessDenied" };
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{code}</Code><Message>refused by the test's proxy</Message><RequestId>fault</RequestId></Error>"
    );
    Response::builder().status(status).header("content-type", "application/xml").body(Body::from(xml)).unwrap()
}
