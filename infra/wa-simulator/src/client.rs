//! A typed client for the control API, for tests and local tooling: scan a
//! QR, mark numbers, log devices out, write to an account, set a timelock
//! or a new-chat message cap, read what phones received.

use chrono::{DateTime, Utc};
use serde::{de::DeserializeOwned, Deserialize};
use serde_json::{json, Value};

use crate::model::{CappingStatus, DeliveryStatus, LinkedDevice, NewChatCap, ReceivedMessage};

#[derive(Debug, thiserror::Error)]
pub enum ControlError {
    #[error("simulator unreachable: {0}")]
    Http(#[from] reqwest::Error),
    #[error("simulator refused ({status}): {message}")]
    Refused { status: u16, message: String },
}

#[derive(Clone)]
pub struct ControlClient {
    http: reqwest::Client,
    base_url: String,
}

impl ControlClient {
    pub fn new(base_url: &str) -> Self {
        Self { http: reqwest::Client::new(), base_url: base_url.trim_end_matches('/').to_owned() }
    }

    /// The phone of `account` (default [`crate::DEFAULT_ACCOUNT`]) scans the
    /// QR currently showing `qr_ref`.
    pub async fn scan(&self, qr_ref: &str, account: Option<&str>) -> Result<LinkedDevice, ControlError> {
        self.post("scan", json!({ "ref": qr_ref, "phone": account })).await
    }

    /// The phone of `phone` types `code` under "Link with phone number".
    pub async fn pair(&self, code: &str, phone: &str) -> Result<LinkedDevice, ControlError> {
        self.post("pair", json!({ "code": code, "phone": phone })).await
    }

    /// `phone` reports every message it got as delivered (or read).
    pub async fn receipts(&self, phone: &str, status: DeliveryStatus) -> Result<(), ControlError> {
        self.post::<Value>("receipts", json!({ "phone": phone, "status": status })).await.map(drop)
    }

    /// `phone` writes `text` back; returns how many accounts got it.
    pub async fn reply(&self, phone: &str, text: &str) -> Result<usize, ControlError> {
        #[derive(Deserialize)]
        struct Replied {
            delivered: usize,
        }
        let answer: Replied = self.post("reply", json!({ "phone": phone, "text": text })).await?;
        Ok(answer.delivered)
    }

    /// The phone `from` writes `text` to the account `to` (first, or
    /// again); returns the message id.
    pub async fn inbound(&self, from: &str, to: &str, text: &str) -> Result<String, ControlError> {
        #[derive(Deserialize)]
        struct Written {
            id: String,
        }
        let answer: Written = self.post("inbound", json!({ "from": from, "to": to, "text": text })).await?;
        Ok(answer.id)
    }

    /// WhatsApp's reach-out timelock on the account `phone` until `until`
    /// (`None` lifts it): no new chats, only answers to people who wrote.
    pub async fn timelock(&self, phone: &str, until: Option<DateTime<Utc>>) -> Result<(), ControlError> {
        self.post::<Value>("timelock", json!({ "phone": phone, "until": until })).await.map(drop)
    }

    /// WhatsApp's server reports the account `phone`'s cap on messages to
    /// people who have not replied: `used` of `total` spent, at `status`,
    /// the cycle ending at `cycle_ends_at` (`None`: a month from now).
    /// Returns the cap as the simulator holds it.
    pub async fn quota(
        &self,
        phone: &str,
        used: u32,
        total: u32,
        status: CappingStatus,
        cycle_ends_at: Option<DateTime<Utc>>,
    ) -> Result<NewChatCap, ControlError> {
        #[derive(Deserialize)]
        struct Set {
            quota: NewChatCap,
        }
        let body =
            json!({ "phone": phone, "used": used, "total": total, "status": status, "cycleEndsAt": cycle_ends_at });
        let answer: Set = self.post("quota", body).await?;
        Ok(answer.quota)
    }

    /// The page draws `hook` under names the driver does not know.
    pub async fn drift(&self, hook: &str) -> Result<(), ControlError> {
        self.post::<Value>("drift", json!({ "hook": hook })).await.map(drop)
    }

    /// WhatsApp restricts `account` for `hours` (0 lifts it).
    pub async fn restrict(&self, account: &str, hours: u32) -> Result<(), ControlError> {
        self.post::<Value>("restrict", json!({ "account": account, "hours": hours })).await.map(drop)
    }

    /// WhatsApp stops (or resumes) confirming messages.
    pub async fn stall(&self, on: bool) -> Result<(), ControlError> {
        self.post::<Value>("stall", json!({ "on": on })).await.map(drop)
    }

    pub async fn not_on_whatsapp(&self, phone: &str) -> Result<(), ControlError> {
        self.post::<Value>("not-on-whatsapp", json!({ "phone": phone })).await.map(drop)
    }

    /// Unlinks one device, or all of them; returns how many.
    pub async fn logout(&self, device: Option<&str>) -> Result<usize, ControlError> {
        #[derive(Deserialize)]
        struct Unlinked {
            unlinked: usize,
        }
        let answer: Unlinked = self.post("logout", json!({ "device": device })).await?;
        Ok(answer.unlinked)
    }

    pub async fn devices(&self) -> Result<Vec<LinkedDevice>, ControlError> {
        #[derive(Deserialize)]
        struct Devices {
            devices: Vec<LinkedDevice>,
        }
        let answer: Devices = self.get("devices", &[]).await?;
        Ok(answer.devices)
    }

    /// What `phone` received (every phone when `None`), oldest first.
    pub async fn messages(&self, phone: Option<&str>) -> Result<Vec<ReceivedMessage>, ControlError> {
        #[derive(Deserialize)]
        struct Messages {
            messages: Vec<ReceivedMessage>,
        }
        let query: Vec<(&str, &str)> = phone.map(|p| ("phone", p)).into_iter().collect();
        let answer: Messages = self.get("messages", &query).await?;
        Ok(answer.messages)
    }

    pub async fn reset(&self) -> Result<(), ControlError> {
        let response = self.http.post(self.url("reset")).send().await?;
        check(response).await.map(drop)
    }

    fn url(&self, action: &str) -> String {
        format!("{}/__control/{action}", self.base_url)
    }

    async fn post<T: DeserializeOwned>(&self, action: &str, body: Value) -> Result<T, ControlError> {
        let response = self.http.post(self.url(action)).json(&body).send().await?;
        Ok(check(response).await?.json().await?)
    }

    async fn get<T: DeserializeOwned>(&self, action: &str, query: &[(&str, &str)]) -> Result<T, ControlError> {
        let response = self.http.get(self.url(action)).query(query).send().await?;
        Ok(check(response).await?.json().await?)
    }
}

async fn check(response: reqwest::Response) -> Result<reqwest::Response, ControlError> {
    if response.status().is_success() {
        return Ok(response);
    }
    let status = response.status().as_u16();
    let body: Value = response.json().await.unwrap_or_default();
    let message = body["error"].as_str().unwrap_or("no reason given").to_owned();
    Err(ControlError::Refused { status, message })
}
