//! The development gateway: its "StartPay page" is our own callback with
//! `Status=OK`, and it verifies every authority it issued. It never touches
//! money, so it must not be configured in production.

use serde_json::json;

use super::{PaymentRequest, StartedPayment, Verification};

const PREFIX: &str = "MOCK";

#[derive(Debug, Clone, Copy)]
pub struct MockGateway;

impl MockGateway {
    pub fn request(&self, request: &PaymentRequest<'_>) -> StartedPayment {
        let authority = format!("{PREFIX}{}", uuid::Uuid::new_v4().simple());
        let payment_url = format!("{}?Authority={authority}&Status=OK", request.callback_url);
        StartedPayment { authority, payment_url }
    }

    pub fn verify(&self, authority: &str) -> Verification {
        match authority.strip_prefix(PREFIX) {
            Some(id) if !id.is_empty() => {
                // A stable, numeric-looking reference like a real gateway's.
                let ref_id = u64::from_str_radix(&id[..id.len().min(12)], 16).unwrap_or_default().to_string();
                Verification::Verified {
                    data: json!({"code": 100, "message": "Mock payment", "ref_id": ref_id}),
                    ref_id,
                }
            }
            _ => Verification::Rejected { code: -54, data: json!({"code": -54, "message": "Unknown mock authority"}) },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_pay_is_our_callback_and_verify_accepts_what_it_issued() {
        let request = PaymentRequest {
            amount: 1000,
            description: "x",
            callback_url: "http://localhost:3000/api/payments/callback",
            order_id: 1,
            email: None,
            mobile: None,
        };
        let started = MockGateway.request(&request);
        assert!(started.payment_url.starts_with("http://localhost:3000/api/payments/callback?Authority=MOCK"));
        assert!(started.payment_url.ends_with("&Status=OK"));
        assert!(matches!(MockGateway.verify(&started.authority), Verification::Verified { .. }));
        assert!(matches!(MockGateway.verify("A000123"), Verification::Rejected { .. }));
    }
}
