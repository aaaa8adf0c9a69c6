//! Zarinpal's v4 REST API.
//!
//! `POST /pg/v4/payment/request.json` answers an authority; the buyer pays
//! on `/pg/StartPay/{authority}` and comes back to our callback with
//! `?Authority=…&Status=OK|NOK`; `POST /pg/v4/payment/verify.json` then
//! settles it: code 100 (verified now) or 101 (verified before). Errors come
//! as `{"data":[],"errors":{"code":-51,"message":…}}`, often with a 4xx
//! status, so the body is read whatever the HTTP status. A payment that is
//! never verified is returned to the payer by Zarinpal.

use std::time::Duration;

use serde_json::{json, Value};

use super::{GatewayError, PaymentRequest, StartedPayment, Verification};
use crate::config::ZarinpalSettings;

/// Codes that say the payment itself did not happen (as opposed to a
/// problem with our merchant account or request): -50 amount differs from
/// what was paid, -51 failed or cancelled, -53 not this merchant's, -54
/// invalid authority, -55 no such payment.
const PAYMENT_NOT_MADE: &[i64] = &[-50, -51, -53, -54, -55];

#[derive(Clone)]
pub struct ZarinpalClient {
    http: reqwest::Client,
    settings: ZarinpalSettings,
}

impl ZarinpalClient {
    pub fn new(settings: ZarinpalSettings) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder().timeout(Duration::from_secs(20)).build()?;
        Ok(Self { http, settings })
    }

    pub async fn request(&self, request: &PaymentRequest<'_>) -> Result<StartedPayment, GatewayError> {
        let mut metadata = json!({ "order_id": request.order_id.to_string() });
        if let Some(email) = request.email {
            metadata["email"] = json!(email);
        }
        if let Some(mobile) = request.mobile {
            metadata["mobile"] = json!(mobile);
        }
        let body = json!({
            "merchant_id": self.settings.merchant_id,
            "amount": request.amount,
            "currency": self.settings.currency,
            "callback_url": request.callback_url,
            "description": request.description,
            "metadata": metadata,
        });
        let data = self.call("request", &body).await?.map_err(refused)?;
        match (data["code"].as_i64(), data["authority"].as_str()) {
            (Some(100), Some(authority)) if !authority.is_empty() => Ok(StartedPayment {
                payment_url: format!("{}/pg/StartPay/{authority}", self.settings.startpay_base.trim_end_matches('/')),
                authority: authority.to_owned(),
            }),
            (code, _) => Err(GatewayError::Refused { code: code.unwrap_or_default(), message: message_of(&data) }),
        }
    }

    pub async fn verify(&self, authority: &str, amount: i64) -> Result<Verification, GatewayError> {
        let body = json!({ "merchant_id": self.settings.merchant_id, "amount": amount, "authority": authority });
        match self.call("verify", &body).await? {
            Ok(data) => match data["code"].as_i64() {
                Some(100 | 101) => {
                    let ref_id = match &data["ref_id"] {
                        Value::Number(n) => n.to_string(),
                        Value::String(s) => s.clone(),
                        _ => return Err(GatewayError::Unreachable("a verified payment without ref_id".into())),
                    };
                    Ok(Verification::Verified { ref_id, data })
                }
                code => Err(GatewayError::Refused { code: code.unwrap_or_default(), message: message_of(&data) }),
            },
            Err(errors) => match errors["code"].as_i64() {
                Some(code) if PAYMENT_NOT_MADE.contains(&code) => Ok(Verification::Rejected { code, data: errors }),
                _ => Err(refused(errors)),
            },
        }
    }

    /// `Ok(data)` or `Err(errors)` of Zarinpal's envelope.
    async fn call(&self, method: &str, body: &Value) -> Result<Result<Value, Value>, GatewayError> {
        let url = format!("{}/pg/v4/payment/{method}.json", self.settings.api_base.trim_end_matches('/'));
        let response = self
            .http
            .post(&url)
            .header("accept", "application/json")
            .json(body)
            .send()
            .await
            .map_err(|err| GatewayError::Unreachable(err.without_url().to_string()))?;
        let status = response.status();
        let envelope: Value = response
            .json()
            .await
            .map_err(|_| GatewayError::Unreachable(format!("an answer that is not Zarinpal JSON (HTTP {status})")))?;
        match (&envelope["errors"], &envelope["data"]) {
            (errors @ Value::Object(fields), _) if !fields.is_empty() => Ok(Err(errors.clone())),
            (_, data @ Value::Object(_)) => Ok(Ok(data.clone())),
            _ => Err(GatewayError::Unreachable(format!("an answer without data or errors (HTTP {status})"))),
        }
    }
}

fn message_of(value: &Value) -> String {
    value["message"].as_str().unwrap_or("no message").to_owned()
}

fn refused(errors: Value) -> GatewayError {
    GatewayError::Refused { code: errors["code"].as_i64().unwrap_or_default(), message: message_of(&errors) }
}
