//! The event shapes are a contract with the frontend: every event is
//! `{"type", "campaignId", "data": {…, "timestamp"}}` with camelCase fields.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use serde_json::{json, Value};

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct Progress {
    pub total: i64,
    pub sent: i64,
    pub failed: i64,
    pub delivered: i64,
    /// Only `progress_update` carries the percentage.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub percentage: Option<f64>,
}

impl Progress {
    pub fn new(total: i64, sent: i64, failed: i64, delivered: i64) -> Self {
        Self { total, sent, failed, delivered, percentage: None }
    }

    /// The same figures with the share of recipients already handled.
    pub fn with_percentage(mut self) -> Self {
        let done = (self.sent + self.failed) as f64;
        let pct = if self.total > 0 { done * 100.0 / self.total as f64 } else { 0.0 };
        self.percentage = Some((pct * 100.0).round() / 100.0);
        self
    }
}

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CompletionReport {
    pub total_recipients: i64,
    pub sent_count: i64,
    pub failed_count: i64,
    pub delivered_count: i64,
    pub delivery_rate: f64,
}

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct QrCodePayload {
    pub raw: String,
    pub url: String,
    /// `data:image/png;base64,…`
    pub image: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum CampaignEvent {
    CampaignUpdate {
        id: i64,
        title: Option<String>,
        status: String,
        progress: Progress,
        started_at: Option<DateTime<Utc>>,
    },
    ProgressUpdate {
        progress: Progress,
    },
    StatusUpdate {
        status: String,
        message: String,
    },
    /// A `status_update` with `status: "waiting"`: a RUNNING campaign may
    /// not send until `waiting_until` (the send governor's `reason`).
    Waiting {
        waiting_until: DateTime<Utc>,
        reason: crate::governor::WaitReason,
    },
    ErrorUpdate {
        error: String,
    },
    CompletionUpdate {
        report: CompletionReport,
    },
    QrCode {
        qr_code: QrCodePayload,
    },
    /// "Link with phone number": the code to type on the phone, until it
    /// expires (WhatsApp Web renews it about every 3 minutes).
    PairingCode {
        code: String,
        expires_at: DateTime<Utc>,
    },
    /// A recipient wrote back; `opted_out` when the reply put the number
    /// on the suppression list.
    ReplyUpdate {
        phone: String,
        text: String,
        opted_out: bool,
    },
    /// A number's health changed (the timelock, WhatsApp's quota) or its
    /// link is due soon: the account as `GET /api/whatsapp-accounts` shows
    /// it, and what the user should know.
    NumberUpdate {
        number: Box<crate::governor::numbers::AccountSummary>,
        message: String,
    },
}

impl CampaignEvent {
    pub fn kind(&self) -> &'static str {
        match self {
            Self::CampaignUpdate { .. } => "campaign_update",
            Self::ProgressUpdate { .. } => "progress_update",
            Self::StatusUpdate { .. } | Self::Waiting { .. } => "status_update",
            Self::ErrorUpdate { .. } => "error_update",
            Self::CompletionUpdate { .. } => "completion_update",
            Self::QrCode { .. } => "qr_code",
            Self::PairingCode { .. } => "pairing_code",
            Self::ReplyUpdate { .. } => "reply_update",
            Self::NumberUpdate { .. } => "number_update",
        }
    }

    fn data(&self) -> Value {
        match self {
            Self::CampaignUpdate { id, title, status, progress, started_at } => json!({
                "id": id, "title": title, "status": status, "progress": progress,
                "startedAt": started_at.map(|t| t.to_rfc3339_opts(SecondsFormat::Millis, true)),
            }),
            Self::ProgressUpdate { progress } => json!({ "progress": progress.clone().with_percentage() }),
            Self::StatusUpdate { status, message } => json!({ "status": status, "message": message }),
            Self::Waiting { waiting_until, reason } => json!({
                "status": "waiting",
                "waitingUntil": waiting_until.to_rfc3339_opts(SecondsFormat::Millis, true),
                "reason": reason,
                "message": reason.message(),
            }),
            Self::ErrorUpdate { error } => json!({ "error": error }),
            Self::CompletionUpdate { report } => json!({ "report": report }),
            Self::QrCode { qr_code } => json!({ "qrCode": qr_code }),
            Self::PairingCode { code, expires_at } => json!({
                "code": code, "expiresAt": expires_at.to_rfc3339_opts(SecondsFormat::Millis, true),
            }),
            Self::ReplyUpdate { phone, text, opted_out } => {
                json!({ "phone": phone, "text": text, "optedOut": opted_out })
            }
            Self::NumberUpdate { number, message } => {
                let mut data = serde_json::to_value(number).unwrap_or_else(|_| json!({}));
                data["accountId"] = json!(number.id);
                data["message"] = json!(message);
                data
            }
        }
    }

    /// The wire form, stamped now.
    pub fn to_json(&self, campaign_id: i64) -> String {
        json!({ "type": self.kind(), "campaignId": campaign_id, "data": self.stamped_data() }).to_string()
    }

    /// An event of a WhatsApp account's session, as a socket following the
    /// account (`campaign` `None`) or one of its campaigns receives it.
    pub fn to_account_json(&self, account_id: i64, campaign: Option<i64>) -> String {
        let mut wire = json!({ "type": self.kind(), "accountId": account_id, "data": self.stamped_data() });
        if let Some(campaign_id) = campaign {
            wire["campaignId"] = json!(campaign_id);
        }
        wire.to_string()
    }

    fn stamped_data(&self) -> Value {
        let mut data = self.data();
        data["timestamp"] = json!(Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true));
        data
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_update_has_the_contract_shape() {
        let event = CampaignEvent::ProgressUpdate { progress: Progress::new(20, 9, 1, 4) };
        let wire: Value = serde_json::from_str(&event.to_json(7)).unwrap();
        assert_eq!(wire["type"], "progress_update");
        assert_eq!(wire["campaignId"], 7);
        assert_eq!(
            wire["data"]["progress"],
            json!({"total": 20, "sent": 9, "failed": 1, "delivered": 4, "percentage": 50.0})
        );
        let stamp = wire["data"]["timestamp"].as_str().unwrap();
        assert!(stamp.ends_with('Z') && stamp.len() == 24, "{stamp}");
    }

    #[test]
    fn campaign_update_has_no_percentage() {
        let event = CampaignEvent::CampaignUpdate {
            id: 3,
            title: Some("کمپین".into()),
            status: "RUNNING".into(),
            progress: Progress::new(2, 1, 0, 0),
            started_at: None,
        };
        let wire: Value = serde_json::from_str(&event.to_json(3)).unwrap();
        assert_eq!(wire["data"]["title"], "کمپین");
        assert!(wire["data"]["progress"].get("percentage").is_none());
        assert!(wire["data"]["startedAt"].is_null());
    }

    #[test]
    fn a_waiting_campaign_gets_a_status_update_with_when_and_why() {
        let until = DateTime::parse_from_rfc3339("2026-06-02T04:30:00Z").unwrap().with_timezone(&Utc);
        let event = CampaignEvent::Waiting { waiting_until: until, reason: crate::governor::WaitReason::DailyLimit };
        let wire: Value = serde_json::from_str(&event.to_json(4)).unwrap();
        assert_eq!(wire["type"], "status_update");
        assert_eq!(wire["data"]["status"], "waiting");
        assert_eq!(wire["data"]["waitingUntil"], "2026-06-02T04:30:00.000Z");
        assert_eq!(wire["data"]["reason"], "DAILY_LIMIT");
        assert!(wire["data"]["message"].as_str().unwrap().contains("daily limit"));
    }
}
