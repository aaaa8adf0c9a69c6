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
    /// The configured gateway. In AWS Lambda (`AWS_LAMBDA_FUNCTION_NAME`
    /// set) the mock gateway is refused: the function fails to start.
    pub fn from_settings(settings: &PaymentSettings) -> anyhow::Result<Self> {
        Self::for_runtime(settings, std::env::var_os("AWS_LAMBDA_FUNCTION_NAME").is_some())
    }

    fn for_runtime(settings: &PaymentSettings, in_lambda: bool) -> anyhow::Result<Self> {
        if in_lambda && matches!(settings.gateway, PaymentGatewaySettings::Mock) {
            anyhow::bail!(
                "PAYMENT_GATEWAY=mock is refused in AWS Lambda: the mock gateway marks orders paid without money \
                 (set PAYMENT_GATEWAY to zarinpal or disabled)"
            );
        }
        if !matches!(settings.gateway, PaymentGatewaySettings::Disabled) && settings.callback_base_url.is_none() {
            // Not fatal: the function's other routes keep working, and each
            // payment request answers 503 (and logs why) until it is set.
            tracing::error!(
                "PAYMENT_CALLBACK_BASE_URL is not set: every payment request will answer 503 until this API's \
                 public URL is configured (the request's own host is never used)"
            );
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::PublicBaseUrl;

    fn settings(gateway: PaymentGatewaySettings) -> PaymentSettings {
        PaymentSettings {
            gateway,
            callback_base_url: Some(PublicBaseUrl::parse("https://api.example.com").unwrap()),
            result_url: "https://app.example.com/payment/result".into(),
        }
    }

    #[test]
    fn lambda_refuses_the_mock_gateway() {
        let Err(err) = PaymentGateway::for_runtime(&settings(PaymentGatewaySettings::Mock), true) else {
            panic!("the mock gateway started in Lambda");
        };
        let err = err.to_string();
        assert!(err.contains("PAYMENT_GATEWAY=mock") && err.contains("Lambda"), "{err}");
    }

    #[test]
    fn outside_lambda_the_mock_runs_and_in_lambda_the_others_do() {
        assert!(matches!(
            PaymentGateway::for_runtime(&settings(PaymentGatewaySettings::Mock), false),
            Ok(PaymentGateway::Mock(_))
        ));
        assert!(matches!(
            PaymentGateway::for_runtime(&settings(PaymentGatewaySettings::Disabled), true),
            Ok(PaymentGateway::Disabled)
        ));
        let zarinpal = PaymentGatewaySettings::Zarinpal(crate::config::ZarinpalSettings {
            merchant_id: "00000000-0000-0000-0000-000000000000".into(),
            api_base: "https://payment.zarinpal.com".into(),
            startpay_base: "https://payment.zarinpal.com".into(),
            currency: "IRR".into(),
        });
        assert!(matches!(PaymentGateway::for_runtime(&settings(zarinpal), true), Ok(PaymentGateway::Zarinpal(_))));
    }
}
