//! Kavenegar's HTTP API (`POST {base}/v1/{api-key}/sms/send.json`).
//!
//! The API key sits in the URL path, so request errors are stripped of their
//! URL before they can be logged or returned.

use serde::Deserialize;

use super::DeliveryError;
use crate::{
    config::{Secret, SmsSettings},
    domain::OtpChannel,
};

#[derive(Clone)]
pub enum SmsSender {
    Kavenegar { client: reqwest::Client, base_url: String, api_key: Secret, sender: Option<String> },
    Console,
}

#[derive(Deserialize)]
struct KavenegarReply {
    #[serde(rename = "return")]
    status: KavenegarStatus,
}

#[derive(Deserialize)]
struct KavenegarStatus {
    status: i64,
    message: String,
}

impl SmsSender {
    pub fn from_settings(settings: &SmsSettings) -> anyhow::Result<Option<Self>> {
        Ok(match settings {
            SmsSettings::Disabled => None,
            SmsSettings::Log => Some(Self::Console),
            SmsSettings::Kavenegar { base_url, api_key, sender } => Some(Self::Kavenegar {
                client: reqwest::Client::builder().timeout(std::time::Duration::from_secs(10)).build()?,
                base_url: base_url.trim_end_matches('/').to_owned(),
                api_key: api_key.clone(),
                sender: sender.clone(),
            }),
        })
    }

    pub async fn send(&self, receptor: &str, message: &str) -> Result<(), DeliveryError> {
        let (client, base_url, api_key, sender) = match self {
            Self::Console => {
                // Deliberately not through tracing: structured logs never hold codes.
                eprintln!("[dev sms] to {receptor}: {message}");
                return Ok(());
            }
            Self::Kavenegar { client, base_url, api_key, sender } => (client, base_url, api_key, sender),
        };
        let fail = |why: String| DeliveryError::Provider(OtpChannel::Sms, why);
        let url = format!("{base_url}/v1/{}/sms/send.json", api_key.expose());
        let mut form = vec![("receptor", receptor), ("message", message)];
        if let Some(sender) = sender {
            form.push(("sender", sender));
        }
        let response = client.post(url).form(&form).send().await.map_err(|e| fail(e.without_url().to_string()))?;
        let http_status = response.status();
        let reply: KavenegarReply =
            response.json().await.map_err(|_| fail(format!("unreadable reply (HTTP {http_status})")))?;
        if reply.status.status != 200 {
            return Err(fail(format!("status {}: {}", reply.status.status, reply.status.message)));
        }
        Ok(())
    }
}
