//! `$default`: messages from the client. `{"type":"ping"}` → `{"type":"pong"}`;
//! `{"type":"subscribe","campaignId":N}` follows another of the user's own
//! campaigns on the same connection, `{"type":"subscribe","accountId":N}`
//! one of their WhatsApp accounts (its QR and pairing codes while linking). Anything else gets an error message;
//! nothing a client sends can break the route. The response body is what
//! the client receives (a route response in API Gateway).

use lambda_http::aws_lambda_events::apigw::ApiGatewayProxyResponse;
use serde::Deserialize;
use serde_json::json;
use shared::{realtime, AppContext};

use super::{connection_id, respond, WebSocketEvent};

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
enum ClientMessage {
    Ping,
    Subscribe {
        #[serde(rename = "campaignId")]
        campaign_id: Option<i64>,
        #[serde(rename = "accountId")]
        account_id: Option<i64>,
    },
}

const UNKNOWN: &str = "Unknown message; send {\"type\":\"ping\"}, {\"type\":\"subscribe\",\"campaignId\":N} \
                       or {\"type\":\"subscribe\",\"accountId\":N}";

pub async fn handle(ctx: &AppContext, event: WebSocketEvent) -> ApiGatewayProxyResponse {
    let message = event.body.as_deref().and_then(|body| serde_json::from_str::<ClientMessage>(body).ok());
    let reply = match message {
        Some(ClientMessage::Ping) => json!({"type": "pong"}),
        Some(ClientMessage::Subscribe { campaign_id: Some(campaign_id), account_id: None }) => {
            let result = async { realtime::subscribe(ctx, connection_id(&event)?, campaign_id).await }.await;
            match result {
                Ok(()) => json!({"type": "subscribed", "campaignId": campaign_id}),
                Err(err) => json!({"type": "error", "campaignId": campaign_id, "message": err.to_string()}),
            }
        }
        Some(ClientMessage::Subscribe { campaign_id: None, account_id: Some(account_id) }) => {
            let result = async { realtime::subscribe_account(ctx, connection_id(&event)?, account_id).await }.await;
            match result {
                Ok(()) => json!({"type": "subscribed", "accountId": account_id}),
                Err(err) => json!({"type": "error", "accountId": account_id, "message": err.to_string()}),
            }
        }
        Some(ClientMessage::Subscribe { .. }) | None => json!({"type": "error", "message": UNKNOWN}),
    };
    respond(200, Some(reply))
}
