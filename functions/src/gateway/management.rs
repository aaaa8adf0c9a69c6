//! The API Gateway management API (`@connections`) as the AWS SDK calls it,
//! so the real `PostToConnection` client delivers to the local gateway's real
//! sockets. Errors use the restJson1 error shape the SDK parses
//! (`x-amzn-ErrorType`), so a closed socket is a genuine `GoneException`.

use axum::{
    body::Bytes,
    extract::{ws::Message, Path, State},
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::post,
    Json, Router,
};
use serde_json::json;

use super::websocket::{LocalWebSockets, Registry};

pub fn routes(local: LocalWebSockets) -> Router {
    Router::new()
        .route("/@connections/{connection_id}", post(post_to_connection).get(get_connection).delete(delete_connection))
        .with_state(local.registry)
}

fn gone() -> Response {
    (StatusCode::GONE, [("x-amzn-ErrorType", "GoneException")], Json(json!({"message": "The connection is gone"})))
        .into_response()
}

async fn post_to_connection(
    State(registry): State<Registry>,
    Path(connection_id): Path<String>,
    body: Bytes,
) -> Response {
    let text = String::from_utf8_lossy(&body).into_owned();
    let sent = registry.with(|sockets| {
        sockets.get(&connection_id).map(|socket| socket.outbox.send(Message::Text(text.into())).is_ok())
    });
    match sent {
        Some(true) => StatusCode::OK.into_response(),
        _ => gone(),
    }
}

async fn get_connection(State(registry): State<Registry>, Path(connection_id): Path<String>) -> Response {
    let info = registry.with(|sockets| {
        sockets.get(&connection_id).map(|socket| {
            json!({
                "connectedAt": socket.connected_at.to_rfc3339(),
                "lastActiveAt": socket.last_active_at.to_rfc3339(),
                "identity": {"sourceIp": socket.source_ip, "userAgent": ""},
            })
        })
    });
    info.map(|body| Json(body).into_response()).unwrap_or_else(gone)
}

async fn delete_connection(State(registry): State<Registry>, Path(connection_id): Path<String>) -> Response {
    let closed =
        registry.with(|sockets| sockets.remove(&connection_id).map(|socket| socket.outbox.send(Message::Close(None))));
    match closed {
        Some(_) => StatusCode::NO_CONTENT.into_response(),
        None => gone(),
    }
}
