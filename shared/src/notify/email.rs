//! E-mail through any SMTP server (lettre), plain, STARTTLS or implicit TLS.

use lettre::{
    message::{header::ContentType, Mailbox},
    transport::smtp::authentication::Credentials,
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
};

use super::DeliveryError;
use crate::{
    config::{EmailSettings, SmtpTls},
    domain::OtpChannel,
};

#[derive(Clone)]
pub enum EmailSender {
    // Boxed: the SMTP pool handle is large; `Console` is the common local case.
    Smtp { transport: Box<AsyncSmtpTransport<Tokio1Executor>>, from: Mailbox },
    Console,
}

impl EmailSender {
    pub fn from_settings(settings: &EmailSettings) -> anyhow::Result<Option<Self>> {
        let EmailSettings::Smtp { host, port, tls, username, password, from } = settings else {
            return Ok(match settings {
                EmailSettings::Log => Some(Self::Console),
                _ => None,
            });
        };
        let mut builder = match tls {
            SmtpTls::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host),
            SmtpTls::StartTls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host)?,
            SmtpTls::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(host)?,
        }
        .port(*port)
        .timeout(Some(std::time::Duration::from_secs(10)));
        if let (Some(user), Some(pass)) = (username, password) {
            builder = builder.credentials(Credentials::new(user.clone(), pass.expose().to_owned()));
        }
        let from = from.parse().map_err(|_| anyhow::anyhow!("SMTP_FROM is not a valid mailbox"))?;
        Ok(Some(Self::Smtp { transport: Box::new(builder.build()), from }))
    }

    pub async fn send(&self, to: &str, subject: &str, body: &str) -> Result<(), DeliveryError> {
        let (transport, from) = match self {
            Self::Console => {
                eprintln!("[dev email] to {to}: {body}");
                return Ok(());
            }
            Self::Smtp { transport, from } => (transport, from),
        };
        let fail = |why: String| DeliveryError::Provider(OtpChannel::Email, why);
        let to: Mailbox = to.parse().map_err(|_| fail("recipient is not a valid mailbox".into()))?;
        let message = Message::builder()
            .from(from.clone())
            .to(to)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body.to_owned())
            .map_err(|e| fail(e.to_string()))?;
        transport.send(message).await.map_err(|e| fail(e.to_string()))?;
        Ok(())
    }
}
