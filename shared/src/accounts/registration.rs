//! Sign-up, with a verified one-time code or (when enabled) without.

use serde::Deserialize;

use super::{account_conflict, otp::otp_error};
use crate::{
    auth::password,
    domain::{Email, OtpChannel, OtpPurpose, Password, PersonName, Phone},
    error::ApiError,
    repo::{otps, users},
    validation::Fields,
    AppContext,
};

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RegisterInput {
    pub name: String,
    pub email: String,
    pub phone: String,
    #[schema(format = Password)]
    pub password: String,
    #[serde(default)]
    pub otp_code: Option<String>,
}

struct NewAccount {
    name: PersonName,
    email: Email,
    phone: Phone,
    password: Password,
}

impl NewAccount {
    fn parse(input: &RegisterInput) -> Result<Self, ApiError> {
        let mut f = Fields::new();
        let name = f.check("name", PersonName::parse(&input.name));
        let email = f.check("email", Email::parse(&input.email));
        let phone = f.check("phone", Phone::parse(&input.phone));
        let password = f.check("password", Password::parse(&input.password));
        f.build(|| Some(Self { name: name?, email: email?, phone: phone?, password: password? }))
    }
}

/// Create an account. With `require_otp`, a code verified for the phone (by
/// SMS) or the e-mail must accompany it and is consumed in the same
/// transaction that creates the user.
#[tracing::instrument(skip_all)]
pub async fn register(
    ctx: &AppContext,
    input: RegisterInput,
    require_otp: bool,
) -> Result<users::UserRecord, ApiError> {
    if !require_otp && !ctx.settings.register_simple_enabled {
        return Err(ApiError::Forbidden {
            code: "REGISTRATION_DISABLED",
            message: "Sign-up without a verification code is disabled".into(),
        });
    }
    let account = NewAccount::parse(&input)?;
    let otp_code = match (require_otp, input.otp_code.as_deref().map(str::trim)) {
        (false, _) => None,
        (true, Some(code)) if !code.is_empty() => Some(code.to_owned()),
        (true, _) => return Err(ApiError::field("otpCode", "is required")),
    };
    let password_hash = password::hash(account.password.expose().to_owned()).await.map_err(ApiError::internal)?;

    let mut tx = ctx.db.begin().await?;
    let proven = match otp_code {
        Some(code) => Some(consume_verified_otp(ctx, &mut tx, &account, &code).await?),
        None => None,
    };
    let new_user = users::NewUser {
        name: &account.name,
        email: &account.email,
        phone: &account.phone,
        password_hash: &password_hash,
    };
    let id = users::insert(&mut *tx, new_user).await.map_err(account_conflict)?;
    if proven == Some(OtpChannel::Sms) {
        users::mark_phone_verified(&mut *tx, id).await?;
    }
    let user =
        users::find_by_id(&mut *tx, id).await?.ok_or_else(|| ApiError::internal(anyhow::anyhow!("user vanished")))?;
    tx.commit().await?;
    tracing::info!(user.id = id, "user registered");
    Ok(user)
}

/// Consumes the verified code; answers the channel it proved (the phone by
/// SMS, or the e-mail).
async fn consume_verified_otp(
    ctx: &AppContext,
    tx: &mut sqlx::Transaction<'_, sqlx::MySql>,
    account: &NewAccount,
    code: &str,
) -> Result<OtpChannel, ApiError> {
    let candidates = [(OtpChannel::Sms, account.phone.as_str()), (OtpChannel::Email, account.email.as_str())];
    for (channel, target) in candidates {
        let Some(otp) = otps::find_for_update(&mut **tx, target, channel, OtpPurpose::Register).await? else {
            continue;
        };
        let valid = otp.verified
            && otp.expires_at > chrono::Utc::now()
            && ctx.otp_hasher.matches(&otp.hashed_code, target, channel, OtpPurpose::Register, code);
        if valid {
            otps::delete(&mut **tx, otp.id).await?;
            return Ok(channel);
        }
    }
    Err(otp_error("OTP_NOT_VERIFIED", "No verified code matches this phone or e-mail; verify a code first"))
}
