//! WebSocket clients of the local gateway, as API Gateway's WebSocket API
//! would serve them: each socket gets a connection id, and `$connect`,
//! `$default` and `$disconnect` events of API Gateway's shape go to the same
//! handler code the ws-* Lambdas run. Sockets are kept in a registry that
//! the emulated management API (`management.rs`) writes to.

use std::{
    collections::HashMap,
    net::SocketAddr,
    sync::{Arc, Mutex},
};

use axum::{
    extract::{
        ws::{Message, WebSocket, WebSocketUpgrade},
        ConnectInfo, RawQuery, State,
    },
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
};
use base64::Engine;
use chrono::{DateTime, Utc};
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use shared::AppContext;
use tokio::sync::mpsc;

use crate::ws::{self, Route, WebSocketEvent};

/// One open socket: where to write, and what `GET @connections/{id}` reports.
pub struct Socket {
    pub outbox: mpsc::UnboundedSender<Message>,
    pub connected_at: DateTime<Utc>,
    pub last_active_at: DateTime<Utc>,
    pub source_ip: String,
}

#[derive(Clone, Default)]
pub struct Registry(Arc<Mutex<HashMap<String, Socket>>>);

impl Registry {
    pub fn with<R>(&self, f: impl FnOnce(&mut HashMap<String, Socket>) -> R) -> R {
        f(&mut self.0.lock().expect("socket registry lock"))
    }
}

#[derive(Clone)]
pub struct LocalWebSockets {
    pub ctx: AppContext,
    pub registry: Registry,
}

/// `GET /ws/campaigns?campaignId=…&token=…`
pub async fn upgrade(
    State(local): State<LocalWebSockets>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    let connection_id = new_connection_id();
    let source_ip = peer.ip().to_string();
    let event = event(Route::Connect, &connection_id, &source_ip, query.as_deref(), &headers, None);
    let answer = ws::handle(&local.ctx, Route::Connect, event).await;
    if answer.status_code != 200 {
        // API Gateway refuses the handshake with the route's status.
        let status = StatusCode::from_u16(answer.status_code as u16).unwrap_or(StatusCode::FORBIDDEN);
        let body = answer.body.map(|b| String::from_utf8_lossy(&b).into_owned()).unwrap_or_default();
        return (status, [("content-type", "application/json")], body).into_response();
    }
    // Registered before the handshake completes, so a push racing the
    // upgrade is queued rather than answered 410.
    let (outbox, inbox) = mpsc::unbounded_channel();
    let now = Utc::now();
    local.registry.with(|sockets| {
        sockets.insert(
            connection_id.clone(),
            Socket { outbox, connected_at: now, last_active_at: now, source_ip: source_ip.clone() },
        )
    });
    upgrade.on_upgrade(move |socket| serve(local, socket, inbox, connection_id, source_ip))
}

async fn serve(
    local: LocalWebSockets,
    socket: WebSocket,
    mut inbox: mpsc::UnboundedReceiver<Message>,
    connection_id: String,
    source_ip: String,
) {
    let (mut sink, mut stream) = socket.split();
    let writer = tokio::spawn(async move {
        while let Some(message) = inbox.recv().await {
            let closing = matches!(message, Message::Close(_));
            if sink.send(message).await.is_err() || closing {
                break;
            }
        }
    });
    while let Some(Ok(message)) = stream.next().await {
        let body = match message {
            Message::Text(text) => text.to_string(),
            Message::Binary(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            Message::Close(_) => break,
            Message::Ping(_) | Message::Pong(_) => continue,
        };
        let outbox = local.registry.with(|sockets| {
            sockets.get_mut(&connection_id).map(|socket| {
                socket.last_active_at = Utc::now();
                socket.outbox.clone()
            })
        });
        let event = event(Route::Default, &connection_id, &source_ip, None, &HeaderMap::new(), Some(body));
        let answer = ws::handle(&local.ctx, Route::Default, event).await;
        if let (Some(outbox), Some(reply)) = (outbox, answer.body) {
            let _ = outbox.send(Message::Text(String::from_utf8_lossy(&reply).into_owned().into()));
        }
    }
    local.registry.with(|sockets| sockets.remove(&connection_id));
    writer.abort();
    let event = event(Route::Disconnect, &connection_id, &source_ip, None, &HeaderMap::new(), None);
    ws::handle(&local.ctx, Route::Disconnect, event).await;
}

/// An id shaped like API Gateway's (`L0SM9cOFvHcCIhw=`).
fn new_connection_id() -> String {
    let bytes: [u8; 10] = rand::random();
    base64::engine::general_purpose::STANDARD.encode(bytes).replace('/', "_").replace('+', "-")
}

/// The event API Gateway would send for this route, built as JSON and read
/// back through the same type the Lambdas deserialize.
fn event(
    route: Route,
    connection_id: &str,
    source_ip: &str,
    query: Option<&str>,
    headers: &HeaderMap,
    body: Option<String>,
) -> WebSocketEvent {
    let (route_key, event_type) = match route {
        Route::Connect => ("$connect", "CONNECT"),
        Route::Disconnect => ("$disconnect", "DISCONNECT"),
        Route::Default => ("$default", "MESSAGE"),
    };
    let now = Utc::now().timestamp_millis();
    let query: HashMap<String, String> =
        query.map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect()).unwrap_or_default();
    let headers: HashMap<&str, &str> =
        headers.iter().filter_map(|(name, value)| Some((name.as_str(), value.to_str().ok()?))).collect();
    let raw: Value = json!({
        "headers": headers,
        "queryStringParameters": if query.is_empty() { Value::Null } else { json!(query) },
        "requestContext": {
            "routeKey": route_key,
            "eventType": event_type,
            "messageDirection": "IN",
            "connectionId": connection_id,
            "connectedAt": now,
            "requestTimeEpoch": now,
            "requestId": uuid::Uuid::new_v4().to_string(),
            "apiId": "local",
            "stage": "local",
            "domainName": "localhost",
            "identity": { "sourceIp": source_ip },
        },
        "body": body,
        "isBase64Encoded": false,
    });
    serde_json::from_value(raw).expect("an API Gateway WebSocket event")
}
