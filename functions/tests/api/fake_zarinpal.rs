//! A local Zarinpal speaking its v4 REST JSON: `POST /pg/v4/payment/request.json`
//! hands out authorities, `GET /pg/StartPay/{authority}` is the bank page
//! (it pays, or declines when told to, and sends the browser back to the
//! callback with `Status=OK|NOK`), `POST /pg/v4/payment/verify.json`
//! answers 100, 101 (already verified) or the error envelope with Zarinpal's
//! codes (-9 validation, -10 wrong merchant, -11 inactive merchant, -50
//! amount mismatch, -51 not paid, -54 unknown authority).

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
    Json, Router,
};
use serde_json::{json, Value};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outcome {
    Unpaid,
    Paid { amount: i64 },
    Declined,
}

struct Payment {
    amount: i64,
    callback_url: String,
    outcome: Outcome,
    ref_id: Option<u64>,
}

#[derive(Default)]
struct Ledger {
    payments: HashMap<String, Payment>,
    issued: u64,
    verified: u64,
    verify_calls: usize,
    requests: Vec<Value>,
    decline_next: bool,
    merchant_inactive: bool,
}

#[derive(Clone)]
pub struct FakeZarinpal {
    pub url: String,
    pub merchant_id: String,
    state: Arc<Mutex<Ledger>>,
}

impl FakeZarinpal {
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let fake = Self {
            url: format!("http://{}", listener.local_addr().unwrap()),
            merchant_id: uuid::Uuid::new_v4().to_string(),
            state: Arc::default(),
        };
        let app = Router::new()
            .route("/pg/v4/payment/request.json", post(request))
            .route("/pg/v4/payment/verify.json", post(verify))
            .route("/pg/StartPay/{authority}", get(start_pay))
            .with_state(fake.clone());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        fake
    }

    /// The payer declines (or the bank fails) on the next StartPay.
    pub fn decline_next(&self) {
        self.state.lock().unwrap().decline_next = true;
    }

    /// The payer pays without going through StartPay.
    pub fn pay(&self, authority: &str) {
        let mut state = self.state.lock().unwrap();
        let payment = state.payments.get_mut(authority).expect("known authority");
        payment.outcome = Outcome::Paid { amount: payment.amount };
    }

    /// The payer somehow paid another amount than requested.
    pub fn pay_amount(&self, authority: &str, amount: i64) {
        self.state.lock().unwrap().payments.get_mut(authority).expect("known authority").outcome =
            Outcome::Paid { amount };
    }

    pub fn set_merchant_inactive(&self, yes: bool) {
        self.state.lock().unwrap().merchant_inactive = yes;
    }

    pub fn verify_calls(&self) -> usize {
        self.state.lock().unwrap().verify_calls
    }

    pub fn request_count(&self) -> usize {
        self.state.lock().unwrap().requests.len()
    }

    pub fn last_request(&self) -> Value {
        self.state.lock().unwrap().requests.last().cloned().expect("a payment request")
    }
}

fn error(status: StatusCode, code: i64, message: &str, validations: Value) -> Response {
    (status, Json(json!({"data": [], "errors": {"code": code, "message": message, "validations": validations}})))
        .into_response()
}

fn merchant_problem(fake: &FakeZarinpal, state: &Ledger, body: &Value) -> Option<Response> {
    if body["merchant_id"] != json!(fake.merchant_id) {
        return Some(error(
            StatusCode::UNAUTHORIZED,
            -10,
            "Terminal is not valid, please check merchant_id or ip address.",
            json!([]),
        ));
    }
    if state.merchant_inactive {
        return Some(error(
            StatusCode::FORBIDDEN,
            -11,
            "Terminal is not active, please contact our support team.",
            json!([]),
        ));
    }
    None
}

async fn request(State(fake): State<FakeZarinpal>, Json(body): Json<Value>) -> Response {
    let mut state = fake.state.lock().unwrap();
    state.requests.push(body.clone());
    if let Some(problem) = merchant_problem(&fake, &state, &body) {
        return problem;
    }
    let amount = body["amount"].as_i64().unwrap_or_default();
    let callback_url = body["callback_url"].as_str().unwrap_or_default().to_owned();
    let mut validations = Vec::new();
    if amount < 1000 {
        validations.push(json!({"amount": "The amount must be at least 1000."}));
    }
    if callback_url.is_empty() {
        validations.push(json!({"callback_url": "The callback url field is required."}));
    }
    if body["description"].as_str().is_none_or(str::is_empty) {
        validations.push(json!({"description": "The description field is required."}));
    }
    if !validations.is_empty() {
        return error(StatusCode::BAD_REQUEST, -9, "The input params invalid, validation error.", json!(validations));
    }
    state.issued += 1;
    let authority = format!("A{:035}", 217_885_000 + state.issued);
    state.payments.insert(authority.clone(), Payment { amount, callback_url, outcome: Outcome::Unpaid, ref_id: None });
    Json(json!({"data": {"code": 100, "message": "Success", "authority": authority, "fee_type": "Merchant", "fee": 0}, "errors": []}))
        .into_response()
}

async fn start_pay(State(fake): State<FakeZarinpal>, Path(authority): Path<String>) -> Response {
    let mut state = fake.state.lock().unwrap();
    let declined = std::mem::take(&mut state.decline_next);
    let Some(payment) = state.payments.get_mut(&authority) else {
        return (StatusCode::NOT_FOUND, "unknown authority").into_response();
    };
    payment.outcome = if declined { Outcome::Declined } else { Outcome::Paid { amount: payment.amount } };
    let status = if declined { "NOK" } else { "OK" };
    Redirect::to(&format!("{}?Authority={authority}&Status={status}", payment.callback_url)).into_response()
}

async fn verify(State(fake): State<FakeZarinpal>, Json(body): Json<Value>) -> Response {
    let mut state = fake.state.lock().unwrap();
    state.verify_calls += 1;
    if let Some(problem) = merchant_problem(&fake, &state, &body) {
        return problem;
    }
    let (Some(authority), Some(amount)) = (body["authority"].as_str(), body["amount"].as_i64()) else {
        return error(StatusCode::BAD_REQUEST, -9, "The input params invalid, validation error.", json!([]));
    };
    let next_ref = 201 + state.verified;
    let Some(payment) = state.payments.get_mut(authority) else {
        return error(StatusCode::NOT_FOUND, -54, "Invalid authority.", json!([]));
    };
    let paid = match payment.outcome {
        Outcome::Paid { amount } => amount,
        Outcome::Unpaid | Outcome::Declined => {
            return error(
                StatusCode::BAD_REQUEST,
                -51,
                "Session is not valid, session is not active paid try.",
                json!([]),
            )
        }
    };
    if paid != amount {
        return error(StatusCode::BAD_REQUEST, -50, "Session is not valid, amounts values is not the same.", json!([]));
    }
    let (code, message, ref_id) = match payment.ref_id {
        Some(ref_id) => (101, "Verified", ref_id),
        None => {
            payment.ref_id = Some(next_ref);
            (100, "Paid", next_ref)
        }
    };
    if code == 100 {
        state.verified += 1;
    }
    Json(json!({
        "data": {
            "code": code, "message": message, "card_hash": "1EBE3EBEBE35C7EC0F8D6EE4F2F859107A87822CA179BC9528767EA7B5489B69",
            "card_pan": "502229******5995", "ref_id": ref_id, "fee_type": "Merchant", "fee": 0
        },
        "errors": []
    }))
    .into_response()
}
