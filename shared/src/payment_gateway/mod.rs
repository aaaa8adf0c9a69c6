//! The payment gateways a buyer can pay through: Zarinpal, and a mock for
//! development that succeeds without money. Both take the same path —
//! request → StartPay URL → callback → verify — so the mock exercises the
//! code that real payments run.
//!
//! This module only speaks to gateways; what a verified payment grants is
//! decided in `commerce`.

mod mock;
mod zarinpal;

use serde_json::Value;

use crate::{
    config::{PaymentGatewaySettings, PaymentSettings},
    domain::GatewayKind,
};

pub use mock::MockGateway;
pub use zarinpal::ZarinpalClient;

#[derive(Clone)]
pub enum PaymentGateway {
    Disabled,
    Mock(MockGateway),
    Zarinpal(ZarinpalClient),
}

/// One payment to start.
#[derive(Debug)]
pub struct PaymentRequest<'a> {
    pub amount: i64,
    pub description: &'a str,
    pub callback_url: &'a str,
    pub order_id: i64,
    pub email: Option<&'a str>,
    pub mobile: Option<&'a str>,
}

/// A started payment: where to send the buyer.
#[derive(Debug, Clone)]
pub struct StartedPayment {
    pub authority: String,
    pub payment_url: String,
}

/// The gateway's word on one payment.
#[derive(Debug, Clone)]
pub enum Verification {
    /// Paid (or already verified earlier): `data` is the gateway's record.
    Verified { ref_id: String, data: Value },
    /// Not paid: failed, cancelled, wrong amount or unknown authority.
    /// `data` is the gateway's answer, message included.
    Rejected { code: i64, data: Value },
}

/// The gateway could not give an answer about the payment itself: it is
/// unreachable, or it refused us (merchant, IP or configuration problems).
#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    #[error("no payment gateway is configured")]
    NotConfigured,
    #[error("the payment gateway is unreachable: {0}")]
    Unreachable(String),
    #[error("the payment gateway refused the call (code {code}): {message}")]
    Refused { code: i64, message: String },
}

impl PaymentGateway {
    pub fn from_settings(settings: &PaymentSettings) -> anyhow::Result<Self> {
        Ok(match &settings.gateway {
            PaymentGatewaySettings::Disabled => Self::Disabled,
            PaymentGatewaySettings::Mock => Self::Mock(MockGateway),
            PaymentGatewaySettings::Zarinpal(zarinpal) => Self::Zarinpal(ZarinpalClient::new(zarinpal.clone())?),
        })
    }

    pub fn kind(&self) -> Result<GatewayKind, GatewayError> {
        match self {
            Self::Disabled => Err(GatewayError::NotConfigured),
            Self::Mock(_) => Ok(GatewayKind::Mock),
            Self::Zarinpal(_) => Ok(GatewayKind::Zarinpal),
        }
    }

    #[tracing::instrument(skip_all, fields(order.id = request.order_id, amount = request.amount))]
    pub async fn request(&self, request: PaymentRequest<'_>) -> Result<StartedPayment, GatewayError> {
        match self {
            Self::Disabled => Err(GatewayError::NotConfigured),
            Self::Mock(mock) => Ok(mock.request(&request)),
            Self::Zarinpal(client) => client.request(&request).await,
        }
    }

    #[tracing::instrument(skip(self))]
    pub async fn verify(&self, authority: &str, amount: i64) -> Result<Verification, GatewayError> {
        match self {
            Self::Disabled => Err(GatewayError::NotConfigured),
            Self::Mock(mock) => Ok(mock.verify(authority)),
            Self::Zarinpal(client) => client.verify(authority, amount).await,
        }
    }
}
