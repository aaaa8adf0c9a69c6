//! A local Kavenegar: `POST /v1/{api-key}/sms/send.json` with a form body,
//! answering in Kavenegar's JSON (`{"return":{"status","message"},"entries"}`)
//! including its error statuses (403 bad key, 418 no credit).

use std::{
    collections::HashMap,
    sync::{atomic::AtomicBool, atomic::Ordering, Arc, Mutex},
};

use axum::{
    extract::{Path, State},
    routing::post,
    Form, Json, Router,
};
use serde_json::{json, Value};

#[derive(Clone, Debug)]
pub struct SentSms {
    pub receptor: String,
    pub message: String,
}

#[derive(Clone)]
pub struct FakeSms {
    pub url: String,
    pub api_key: String,
    sent: Arc<Mutex<Vec<SentSms>>>,
    out_of_credit: Arc<AtomicBool>,
}

impl FakeSms {
    pub async fn start(api_key: &str) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let fake = Self {
            url: format!("http://{}", listener.local_addr().unwrap()),
            api_key: api_key.to_owned(),
            sent: Arc::default(),
            out_of_credit: Arc::default(),
        };
        let app = Router::new().route("/v1/{key}/sms/send.json", post(send)).with_state(fake.clone());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        fake
    }

    pub fn sent(&self) -> Vec<SentSms> {
        self.sent.lock().unwrap().clone()
    }

    pub fn set_out_of_credit(&self, yes: bool) {
        self.out_of_credit.store(yes, Ordering::SeqCst);
    }

    /// The newest code sent to a receptor.
    pub fn last_code_for(&self, receptor: &str) -> Option<String> {
        self.sent().iter().rev().find(|s| s.receptor == receptor).and_then(|s| super::helpers::six_digits(&s.message))
    }
}

async fn send(
    State(fake): State<FakeSms>,
    Path(key): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Json<Value> {
    if key != fake.api_key {
        return Json(
            json!({"return": {"status": 403, "message": "کد شناسائی API-Key معتبر نمی‌باشد"}, "entries": null}),
        );
    }
    if fake.out_of_credit.load(Ordering::SeqCst) {
        return Json(json!({"return": {"status": 418, "message": "اعتبار حساب شما کافی نیست"}, "entries": null}));
    }
    let (Some(receptor), Some(message)) = (form.get("receptor"), form.get("message")) else {
        return Json(json!({"return": {"status": 400, "message": "پارامترها ناقص هستند"}, "entries": null}));
    };
    fake.sent.lock().unwrap().push(SentSms { receptor: receptor.clone(), message: message.clone() });
    Json(json!({
        "return": {"status": 200, "message": "تایید شد"},
        "entries": [{
            "messageid": 8792343, "message": message, "status": 1, "statustext": "در صف ارسال",
            "sender": "10004346", "receptor": receptor, "date": 1356619709, "cost": 120
        }]
    }))
}
