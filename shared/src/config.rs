//! Typed settings, read once at start from the environment (and, in AWS,
//! Secrets Manager: [`secrets`]).
//!
//! Every missing or malformed variable is collected and reported together,
//! each by name, so a misconfigured deployment fails loudly at start instead
//! of at the first request that needs the value. Secret values are wrapped in
//! [`Secret`], whose `Debug` never prints them.

use std::{collections::HashMap, fmt, str::FromStr, time::Duration};

use crate::domain::PublicBaseUrl;

mod secrets;

/// A value that must never reach a log line or an error message.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub database_url: String,
    pub database_max_connections: u32,
    pub jwt_secret: Secret,
    pub access_token_ttl: Duration,
    pub refresh_token_ttl: Duration,
    pub otp: OtpSettings,
    /// Attempt counters for logins and one-time codes (per account and per IP).
    pub attempts: AttemptSettings,
    pub sms: SmsSettings,
    pub email: EmailSettings,
    /// `POST /api/user/register-simple` (sign-up without an OTP).
    pub register_simple_enabled: bool,
    pub gateway: GatewaySettings,
    pub aws: AwsSettings,
    pub payments: PaymentSettings,
    pub campaigns: CampaignSettings,
    /// The send governor's caps, pacing and default sending hours.
    pub governor: crate::governor::GovernorSettings,
    /// Link attempts: how many, how often, how long (`LINKING_*`, `PAIRING_RATE_*`).
    pub linking: crate::whatsapp::LinkingSettings,
    /// `JWT_ISSUER`, `JWT_AUDIENCE`: the `iss` and `aud` every access token
    /// carries and must carry to be accepted.
    pub jwt_issuer: String,
    pub jwt_audience: String,
}

#[derive(Debug, Clone)]
pub struct PaymentSettings {
    pub gateway: PaymentGatewaySettings,
    /// Public base URL of this API; the gateway sends the buyer back to
    /// `{callback_base_url}/api/payments/callback`. Never taken from a
    /// request. `None`: payment requests answer 503 (the local gateway
    /// fills in its own listen address).
    pub callback_base_url: Option<PublicBaseUrl>,
    /// The frontend page the callback redirects to, with the outcome in its
    /// query string.
    pub result_url: String,
}

#[derive(Debug, Clone)]
pub enum PaymentGatewaySettings {
    /// Payment requests answer 503.
    Disabled,
    /// Development only: every payment succeeds, through the same
    /// request → callback → verify path as a real gateway.
    Mock,
    Zarinpal(ZarinpalSettings),
}

#[derive(Debug, Clone)]
pub struct ZarinpalSettings {
    pub merchant_id: String,
    /// Where `/pg/v4/payment/{request,verify}.json` live.
    pub api_base: String,
    /// Where `/pg/StartPay/{authority}` lives.
    pub startpay_base: String,
    /// `IRR` or `IRT`: the unit of package prices.
    pub currency: String,
}

#[derive(Debug, Clone)]
pub struct CampaignSettings {
    /// Report workbooks up to this size are answered in the response body;
    /// larger ones through S3, since Lambda answers at most 6 MB (base64
    /// makes binary bodies a third larger on the way).
    pub report_inline_max_bytes: usize,
}

#[derive(Debug, Clone)]
pub struct AwsSettings {
    pub region: String,
    /// `AWS_ENDPOINT_URL`: an emulator locally; unset in AWS.
    pub endpoint_url: Option<String>,
    pub s3_bucket: String,
    /// `WS_MANAGEMENT_ENDPOINT`: where events are pushed (the WebSocket
    /// API's `@connections` endpoint, or the local gateway). Unset: no pushes.
    pub ws_management_endpoint: Option<String>,
    /// `SQS_SESSIONS_QUEUE_URL`: the shared queue of session commands.
    pub sessions_queue_url: String,
    /// `QUEUES_CREATE`: what to do when a queue turns out to be gone.
    pub queues_create: QueueCreation,
}

/// What a process does when SQS says a queue it uses does not exist (an
/// emulator restarted empty, a stack deleted under a running fleet).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueueCreation {
    /// `auto` (the default with an `AWS_ENDPOINT_URL`, i.e. an emulator):
    /// create the queue again, with its dead-letter queue, and carry on.
    Auto,
    /// `never` (the default in AWS, where CloudFormation owns the queues):
    /// one error naming the queue; a sender then stops with a non-zero exit
    /// so its orchestrator notices.
    Never,
}

#[derive(Debug, Clone)]
pub struct OtpSettings {
    pub ttl: Duration,
    pub resend_cooldown: Duration,
    pub max_attempts: u32,
    /// How long a verified code stays usable for registration.
    pub registration_window: Duration,
}

/// Attempt limits for logins and one-time codes: at most `per_*` attempts in
/// a window of `window` that starts at a subject's first attempt; `0`: no
/// limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttemptLimit {
    pub max: u32,
    pub window: Duration,
}

#[derive(Debug, Clone)]
pub struct AttemptSettings {
    /// Failed logins per e-mail (`LOGIN_ATTEMPTS_PER_ACCOUNT`).
    pub login_per_account: AttemptLimit,
    /// Failed logins per client IP (`LOGIN_ATTEMPTS_PER_IP`).
    pub login_per_ip: AttemptLimit,
    /// Codes asked for per phone or e-mail (`OTP_REQUESTS_PER_TARGET`).
    pub otp_per_target: AttemptLimit,
    /// Codes asked for per client IP (`OTP_REQUESTS_PER_IP`).
    pub otp_per_ip: AttemptLimit,
    /// Wrong codes per phone or e-mail (`OTP_VERIFY_FAILURES_PER_TARGET`).
    pub verify_per_target: AttemptLimit,
    /// Wrong codes per client IP (`OTP_VERIFY_FAILURES_PER_IP`).
    pub verify_per_ip: AttemptLimit,
}

#[derive(Debug, Clone)]
pub enum SmsSettings {
    Disabled,
    /// Development only: codes are printed on the local console.
    Log,
    Kavenegar {
        base_url: String,
        api_key: Secret,
        sender: Option<String>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpTls {
    None,
    StartTls,
    Tls,
}

#[derive(Debug, Clone)]
pub enum EmailSettings {
    Disabled,
    /// Development only: codes are printed on the local console.
    Log,
    Smtp {
        host: String,
        port: u16,
        tls: SmtpTls,
        username: Option<String>,
        password: Option<Secret>,
        from: String,
    },
}

/// What only the local gateway uses; in AWS, API Gateway does these jobs.
#[derive(Debug, Clone)]
pub struct GatewaySettings {
    pub port: u16,
    pub frontend_url: String,
    pub rate_limit_max: u32,
    pub rate_limit_window: Duration,
    /// `SCHEDULER_INTERVAL_SECONDS`: how often the local gateway runs the
    /// scheduler (EventBridge does it in AWS); 0 turns it off.
    pub scheduler_interval: Duration,
    /// `WHATSAPP_URL` when it names a WhatsApp Web simulator (anything but
    /// web.whatsapp.com): the console then offers to scan with the
    /// simulated phone. The senders read the same variable.
    pub simulator_url: Option<String>,
}

/// Why the settings could not be read: every problem, each naming its variable.
#[derive(Debug, thiserror::Error)]
#[error("invalid configuration:\n  {}", .0.join("\n  "))]
pub struct ConfigError(pub Vec<String>);

impl Settings {
    /// The environment; in AWS, each secret whose ARN it names
    /// (`DATABASE_URL_SECRET_ARN`, `JWT_SECRET_ARN`, … — [`secrets`]) is
    /// read from Secrets Manager instead of its plain variable.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup_with_secrets(|name| std::env::var(name).ok())
    }

    fn from_lookup_with_secrets(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let from_secrets = secrets::resolve(secrets::FROM_SECRETS, &lookup).map_err(ConfigError)?;
        Self::from_source(|name| from_secrets.get(name).cloned().or_else(|| lookup(name)))
    }

    pub fn from_map(map: &HashMap<String, String>) -> Result<Self, ConfigError> {
        Self::from_source(|name| map.get(name).cloned())
    }

    pub fn from_source(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let mut env = Reader { lookup: &lookup, problems: Vec::new() };

        let database_url = env.required("DATABASE_URL");
        // RDS Proxy: the stack creates the proxy, so its endpoint reaches the
        // functions apart from the database secret's URL.
        let database_url = match (database_url, env.optional("DATABASE_HOST")) {
            (Some(url), Some(host)) => match with_host(&url, &host) {
                Some(url) => Some(url),
                None => {
                    env.problems.push("DATABASE_URL: no host to replace with DATABASE_HOST".into());
                    None
                }
            },
            (url, _) => url,
        };
        let database_max_connections = env.parsed("DATABASE_MAX_CONNECTIONS", 10);
        let jwt_secret = env.required("JWT_SECRET");
        if jwt_secret.as_deref().is_some_and(|s| s.len() < 32) {
            env.problems.push("JWT_SECRET: must be at least 32 characters".into());
        }
        let access_token_ttl = Duration::from_secs(env.parsed("ACCESS_TOKEN_TTL_SECONDS", 900));
        let refresh_token_ttl = Duration::from_secs(env.parsed::<u64>("REFRESH_TOKEN_TTL_DAYS", 60) * 86_400);
        let otp = OtpSettings {
            ttl: Duration::from_secs(env.parsed("OTP_TTL_SECONDS", 300)),
            resend_cooldown: Duration::from_secs(env.parsed("OTP_RESEND_COOLDOWN_SECONDS", 60)),
            max_attempts: 5,
            registration_window: Duration::from_secs(env.parsed("OTP_REGISTRATION_WINDOW_SECONDS", 900)),
        };
        let login_window = Duration::from_secs(env.parsed("LOGIN_ATTEMPTS_WINDOW_SECONDS", 900));
        let otp_window = Duration::from_secs(env.parsed("OTP_REQUESTS_WINDOW_SECONDS", 3600));
        let mut limit =
            |name: &str, default: u32, window: Duration| AttemptLimit { max: env.parsed(name, default), window };
        let attempts = AttemptSettings {
            login_per_account: limit("LOGIN_ATTEMPTS_PER_ACCOUNT", 10, login_window),
            login_per_ip: limit("LOGIN_ATTEMPTS_PER_IP", 50, login_window),
            otp_per_target: limit("OTP_REQUESTS_PER_TARGET", 5, otp_window),
            otp_per_ip: limit("OTP_REQUESTS_PER_IP", 20, otp_window),
            verify_per_target: limit("OTP_VERIFY_FAILURES_PER_TARGET", 10, otp_window),
            verify_per_ip: limit("OTP_VERIFY_FAILURES_PER_IP", 30, otp_window),
        };
        let sms = match env.optional("SMS_PROVIDER").as_deref().unwrap_or("disabled") {
            "disabled" => SmsSettings::Disabled,
            "log" => SmsSettings::Log,
            "kavenegar" => SmsSettings::Kavenegar {
                base_url: env.optional("KAVENEGAR_BASE_URL").unwrap_or_else(|| "https://api.kavenegar.com".into()),
                api_key: Secret::new(env.required("KAVENEGAR_API_KEY").unwrap_or_default()),
                sender: env.optional("KAVENEGAR_SENDER"),
            },
            other => {
                env.problems.push(format!("SMS_PROVIDER: `{other}` is not one of kavenegar, log, disabled"));
                SmsSettings::Disabled
            }
        };
        let email = match env.optional("EMAIL_PROVIDER").as_deref().unwrap_or("disabled") {
            "disabled" => EmailSettings::Disabled,
            "log" => EmailSettings::Log,
            "smtp" => EmailSettings::Smtp {
                host: env.required("SMTP_HOST").unwrap_or_default(),
                port: env.parsed("SMTP_PORT", 587),
                tls: match env.optional("SMTP_TLS").as_deref().unwrap_or("starttls") {
                    "none" => SmtpTls::None,
                    "starttls" => SmtpTls::StartTls,
                    "tls" => SmtpTls::Tls,
                    other => {
                        env.problems.push(format!("SMTP_TLS: `{other}` is not one of starttls, tls, none"));
                        SmtpTls::StartTls
                    }
                },
                username: env.optional("SMTP_USERNAME"),
                password: env.optional("SMTP_PASSWORD").map(Secret::new),
                from: env.required("SMTP_FROM").unwrap_or_default(),
            },
            other => {
                env.problems.push(format!("EMAIL_PROVIDER: `{other}` is not one of smtp, log, disabled"));
                EmailSettings::Disabled
            }
        };
        let register_simple_enabled = env.parsed("REGISTER_SIMPLE_ENABLED", true);
        let gateway = GatewaySettings {
            port: env.parsed("PORT", 3000),
            frontend_url: env.optional("FRONTEND_URL").unwrap_or_else(|| "http://localhost:5173".into()),
            rate_limit_max: env.parsed("RATE_LIMIT_MAX", 200),
            rate_limit_window: Duration::from_secs(env.parsed("RATE_LIMIT_WINDOW_SECONDS", 900)),
            scheduler_interval: Duration::from_secs(env.parsed("SCHEDULER_INTERVAL_SECONDS", 60)),
            simulator_url: env
                .optional("WHATSAPP_URL")
                .filter(|url| !url.contains("web.whatsapp.com"))
                .map(|url| url.trim_end_matches('/').to_owned()),
        };

        let aws = AwsSettings::read(&mut env);

        let payments = payment_settings(&mut env, &gateway);

        let campaigns = CampaignSettings { report_inline_max_bytes: env.parsed("REPORT_INLINE_MAX_BYTES", 4_000_000) };
        let governor = crate::governor::GovernorSettings::from_source(&lookup)
            .map_err(|e| env.problems.extend(e.0))
            .unwrap_or_default();
        let linking = crate::whatsapp::LinkingSettings::from_source(&lookup)
            .map_err(|e| env.problems.extend(e.0))
            .unwrap_or_default();

        if !env.problems.is_empty() {
            return Err(ConfigError(env.problems));
        }
        Ok(Settings {
            database_url: database_url.unwrap_or_default(),
            database_max_connections,
            jwt_secret: Secret::new(jwt_secret.unwrap_or_default()),
            access_token_ttl,
            refresh_token_ttl,
            otp,
            attempts,
            sms,
            email,
            register_simple_enabled,
            gateway,
            aws,
            payments,
            campaigns,
            governor,
            linking,
            jwt_issuer: env.optional("JWT_ISSUER").unwrap_or_else(|| crate::auth::jwt::DEFAULT_ISSUER.into()),
            jwt_audience: env.optional("JWT_AUDIENCE").unwrap_or_else(|| crate::auth::jwt::DEFAULT_AUDIENCE.into()),
        })
    }
}

impl AwsSettings {
    /// Just the AWS part, for processes that need nothing else of [`Settings`].
    pub fn from_source(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let mut env = Reader { lookup: &lookup, problems: Vec::new() };
        let aws = Self::read(&mut env);
        if env.problems.is_empty() {
            Ok(aws)
        } else {
            Err(ConfigError(env.problems))
        }
    }

    fn read<F: Fn(&str) -> Option<String>>(env: &mut Reader<'_, F>) -> Self {
        Self {
            region: env.optional("AWS_REGION").unwrap_or_else(|| "us-east-1".into()),
            endpoint_url: env.optional("AWS_ENDPOINT_URL"),
            s3_bucket: env.required("S3_BUCKET").unwrap_or_default(),
            ws_management_endpoint: env.optional("WS_MANAGEMENT_ENDPOINT"),
            sessions_queue_url: env.required("SQS_SESSIONS_QUEUE_URL").unwrap_or_default(),
            queues_create: queue_creation(env),
        }
    }
}

fn queue_creation<F: Fn(&str) -> Option<String>>(env: &mut Reader<'_, F>) -> QueueCreation {
    match env.optional("QUEUES_CREATE").as_deref() {
        Some("auto") => QueueCreation::Auto,
        Some("never") => QueueCreation::Never,
        None if env.optional("AWS_ENDPOINT_URL").is_some() => QueueCreation::Auto,
        None => QueueCreation::Never,
        Some(other) => {
            env.problems.push(format!("QUEUES_CREATE: `{other}` is not one of auto, never"));
            QueueCreation::Never
        }
    }
}

fn payment_settings<F: Fn(&str) -> Option<String>>(
    env: &mut Reader<'_, F>,
    gateway: &GatewaySettings,
) -> PaymentSettings {
    let frontend = gateway.frontend_url.split(',').next().unwrap_or_default().trim().trim_end_matches('/').to_owned();
    let result_url = env.optional("PAYMENT_RESULT_URL").unwrap_or_else(|| format!("{frontend}/payment/result"));
    let gateway = match env.optional("PAYMENT_GATEWAY").as_deref().unwrap_or("disabled") {
        "disabled" => PaymentGatewaySettings::Disabled,
        "mock" => PaymentGatewaySettings::Mock,
        "zarinpal" => {
            let sandbox = env.parsed("ZARINPAL_SANDBOX", false);
            let default_base = if sandbox { "https://sandbox.zarinpal.com" } else { "https://payment.zarinpal.com" };
            let api_base = env.optional("ZARINPAL_API_BASE").unwrap_or_else(|| default_base.into());
            let currency = env.optional("PAYMENT_CURRENCY").unwrap_or_else(|| "IRR".into());
            if !matches!(currency.as_str(), "IRR" | "IRT") {
                env.problems.push(format!("PAYMENT_CURRENCY: `{currency}` is not one of IRR, IRT"));
            }
            let settings = ZarinpalSettings {
                merchant_id: env.required("ZARINPAL_MERCHANT_ID").unwrap_or_default(),
                startpay_base: env.optional("ZARINPAL_STARTPAY_BASE").unwrap_or_else(|| default_base.into()),
                api_base,
                currency,
            };
            PaymentGatewaySettings::Zarinpal(settings)
        }
        other => {
            env.problems.push(format!("PAYMENT_GATEWAY: `{other}` is not one of zarinpal, mock, disabled"));
            PaymentGatewaySettings::Disabled
        }
    };
    // Unset or empty (the template's default): payments answer 503 until it
    // is set (`payment_gateway`); the request's host is never a fallback.
    let callback_base_url = env.optional("PAYMENT_CALLBACK_BASE_URL").and_then(|raw| {
        PublicBaseUrl::parse(&raw)
            .map_err(|problem| env.problems.push(format!("PAYMENT_CALLBACK_BASE_URL: {problem}")))
            .ok()
    });
    PaymentSettings { gateway, callback_base_url, result_url }
}

struct Reader<'a, F: Fn(&str) -> Option<String>> {
    lookup: &'a F,
    problems: Vec<String>,
}

impl<F: Fn(&str) -> Option<String>> Reader<'_, F> {
    fn optional(&self, name: &str) -> Option<String> {
        (self.lookup)(name).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
    }

    fn required(&mut self, name: &str) -> Option<String> {
        let value = self.optional(name);
        if value.is_none() {
            self.problems.push(format!("{name}: required but not set"));
        }
        value
    }

    fn parsed<T: FromStr>(&mut self, name: &str, default: T) -> T {
        match self.optional(name) {
            None => default,
            Some(raw) => raw.parse().unwrap_or_else(|_| {
                self.problems.push(format!("{name}: `{raw}` is not a valid {}", std::any::type_name::<T>()));
                default
            }),
        }
    }
}

/// `url` (`mysql://user:pass@host:port/db?…`) with its host replaced.
fn with_host(url: &str, host: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    let (credentials, host_port) = match authority.rfind('@') {
        Some(at) => authority.split_at(at + 1),
        None => ("", authority),
    };
    let port = host_port.rfind(':').map(|colon| &host_port[colon..]).unwrap_or("");
    (!host_port.is_empty()).then(|| format!("{scheme}://{credentials}{host}{port}{path}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_problem_is_named() {
        let map = HashMap::from([
            ("JWT_SECRET".to_string(), "short".to_string()),
            ("PORT".to_string(), "eighty".to_string()),
            ("SMS_PROVIDER".to_string(), "pigeon".to_string()),
        ]);
        let err = Settings::from_map(&map).unwrap_err().to_string();
        for name in ["DATABASE_URL", "JWT_SECRET", "PORT", "SMS_PROVIDER", "S3_BUCKET"] {
            assert!(err.contains(name), "{name} missing from: {err}");
        }
        assert!(!err.contains("short"), "a secret value leaked into: {err}");
    }

    const MERCHANT: &str = "00000000-0000-0000-0000-000000000000";

    /// The settings every process needs, plus `extra` (which wins).
    fn env(extra: &[(&str, &str)]) -> HashMap<String, String> {
        let secret = "x".repeat(40);
        let base = [
            ("DATABASE_URL", "mysql://root@127.0.0.1/db"),
            ("JWT_SECRET", secret.as_str()),
            ("S3_BUCKET", "bucket"),
            ("SQS_SESSIONS_QUEUE_URL", "http://localhost/q"),
        ];
        base.iter().chain(extra).map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn kavenegar_needs_its_key() {
        let err = Settings::from_map(&env(&[("SMS_PROVIDER", "kavenegar")])).unwrap_err().to_string();
        assert!(err.contains("KAVENEGAR_API_KEY"), "{err}");
    }

    #[test]
    fn zarinpal_needs_a_merchant_and_a_known_currency() {
        let map = env(&[("PAYMENT_GATEWAY", "zarinpal"), ("PAYMENT_CURRENCY", "USD")]);
        let err = Settings::from_map(&map).unwrap_err().to_string();
        for name in ["ZARINPAL_MERCHANT_ID", "PAYMENT_CURRENCY"] {
            assert!(err.contains(name), "{name} missing from: {err}");
        }
        assert!(!err.contains("PAYMENT_CALLBACK_BASE_URL"), "the callback base is optional: {err}");
    }

    #[test]
    fn without_a_callback_base_none_is_configured() {
        let map = env(&[
            ("PAYMENT_GATEWAY", "zarinpal"),
            ("ZARINPAL_MERCHANT_ID", MERCHANT),
            ("PAYMENT_CALLBACK_BASE_URL", ""),
        ]);
        assert_eq!(Settings::from_map(&map).unwrap().payments.callback_base_url, None);
    }

    #[test]
    fn a_malformed_callback_base_is_named() {
        let map = env(&[("PAYMENT_CALLBACK_BASE_URL", "api.example.com")]);
        let err = Settings::from_map(&map).unwrap_err().to_string();
        assert!(err.contains("PAYMENT_CALLBACK_BASE_URL"), "{err}");
    }

    #[test]
    fn sandbox_switches_the_zarinpal_host() {
        let map = env(&[
            ("PAYMENT_GATEWAY", "zarinpal"),
            ("ZARINPAL_MERCHANT_ID", MERCHANT),
            ("ZARINPAL_SANDBOX", "true"),
            ("PAYMENT_CALLBACK_BASE_URL", "https://api.example.com/"),
        ]);
        let settings = Settings::from_map(&map).unwrap();
        let PaymentGatewaySettings::Zarinpal(zarinpal) = &settings.payments.gateway else { panic!("not zarinpal") };
        assert_eq!(zarinpal.api_base, "https://sandbox.zarinpal.com");
        assert_eq!(zarinpal.startpay_base, "https://sandbox.zarinpal.com");
        assert_eq!(settings.payments.callback_base_url.unwrap().as_str(), "https://api.example.com");
        assert_eq!(settings.payments.result_url, "http://localhost:5173/payment/result");
    }

    #[test]
    fn database_host_replaces_the_host_of_the_database_url_only() {
        let map = env(&[
            ("DATABASE_URL", "mysql://app:p%40ss@db.internal:3306/campaigns?ssl-mode=required"),
            ("DATABASE_HOST", "proxy.proxy-abc.us-east-1.rds.amazonaws.com"),
        ]);
        assert_eq!(
            Settings::from_map(&map).unwrap().database_url,
            "mysql://app:p%40ss@proxy.proxy-abc.us-east-1.rds.amazonaws.com:3306/campaigns?ssl-mode=required"
        );
        let map = env(&[("DATABASE_HOST", "")]);
        assert_eq!(Settings::from_map(&map).unwrap().database_url, env(&[])["DATABASE_URL"]);
    }

    #[test]
    fn queues_are_recreated_by_default_only_against_an_emulator() {
        let queues_create = |extra: &[(&str, &str)]| Settings::from_map(&env(extra)).unwrap().aws.queues_create;
        assert_eq!(queues_create(&[]), QueueCreation::Never);
        assert_eq!(queues_create(&[("AWS_ENDPOINT_URL", "http://127.0.0.1:4566")]), QueueCreation::Auto);
        assert_eq!(
            queues_create(&[("AWS_ENDPOINT_URL", "http://127.0.0.1:4566"), ("QUEUES_CREATE", "never")]),
            QueueCreation::Never
        );
        assert_eq!(queues_create(&[("QUEUES_CREATE", "auto")]), QueueCreation::Auto);
        let err = Settings::from_map(&env(&[("QUEUES_CREATE", "sometimes")])).unwrap_err().to_string();
        assert!(err.contains("QUEUES_CREATE"), "{err}");
    }

    #[test]
    fn secrets_do_not_debug_print() {
        let secret = Secret::new("hunter2-hunter2");
        assert!(!format!("{secret:?}").contains("hunter2"));
    }
}
