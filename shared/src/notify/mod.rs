//! Delivering one-time codes: SMS through Kavenegar, e-mail through SMTP, or
//! (development only, when explicitly configured) the local console.
//!
//! Errors never carry the code, the API key or the SMTP password.

mod email;
mod sms;

use crate::{
    config::{EmailSettings, SmsSettings},
    domain::OtpChannel,
};

pub use email::EmailSender;
pub use sms::SmsSender;

#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    #[error("{0} delivery is not configured")]
    NotConfigured(OtpChannel),
    #[error("the {0} provider refused or failed: {1}")]
    Provider(OtpChannel, String),
}

#[derive(Clone)]
pub struct Notifier {
    sms: Option<SmsSender>,
    email: Option<EmailSender>,
}

impl Notifier {
    pub fn new(sms: &SmsSettings, email: &EmailSettings) -> anyhow::Result<Self> {
        Ok(Self { sms: SmsSender::from_settings(sms)?, email: EmailSender::from_settings(email)? })
    }

    #[tracing::instrument(skip(self, code), fields(channel = %channel))]
    pub async fn send_otp(&self, channel: OtpChannel, target: &str, code: &str) -> Result<(), DeliveryError> {
        match channel {
            OtpChannel::Sms => {
                let sender = self.sms.as_ref().ok_or(DeliveryError::NotConfigured(channel))?;
                sender.send(target, &otp_text(code)).await
            }
            OtpChannel::Email => {
                let sender = self.email.as_ref().ok_or(DeliveryError::NotConfigured(channel))?;
                sender.send(target, "Your verification code / کد تایید شما", &otp_text(code)).await
            }
        }
    }
}

fn otp_text(code: &str) -> String {
    format!("کد تایید شما: {code}\nYour verification code: {code}")
}
