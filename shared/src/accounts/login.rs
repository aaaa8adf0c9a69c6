//! E-mail and password in, a token pair out.

use std::net::IpAddr;

use serde::Deserialize;

use super::{
    attempts::{self, Counter, Scope},
    tokens::{start_session, TokenPair},
};
use crate::{
    auth::password,
    domain::{Email, UserStatus},
    error::ApiError,
    repo::users::{self, UserRecord},
    validation::Fields,
    AppContext,
};

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct LoginInput {
    pub email: String,
    #[schema(format = Password)]
    pub password: String,
}

/// The same answer for an unknown e-mail and a wrong password, in the same
/// time (the password is checked against a dummy hash when there is no user).
///
/// Every well-formed attempt counts against the e-mail and the client's
/// address (`LOGIN_ATTEMPTS_PER_*`) before the password is checked; past
/// either limit the answer is `429` whatever the password. A successful
/// login starts the e-mail's count over and takes itself back from the
/// address's, so only failures add up there.
#[tracing::instrument(skip_all)]
pub async fn login(
    ctx: &AppContext,
    input: LoginInput,
    client: Option<IpAddr>,
) -> Result<(UserRecord, TokenPair), ApiError> {
    let mut f = Fields::new();
    let email = f.check("email", Email::parse(&input.email));
    let password_given =
        f.check("password", if input.password.is_empty() { Err("is required") } else { Ok(input.password) });
    let (email, password_given) = f.build(|| Some((email?, password_given?)))?;

    let per_account = Counter::of(ctx, Scope::LoginAccount, email.as_str());
    let per_ip = Counter::of_ip(ctx, Scope::LoginIp, client);
    attempts::count(ctx, &[&per_account, &per_ip]).await?;

    let user = users::find_by_email(&ctx.db, &email).await?;
    let stored = user.as_ref().map(|u| u.password_hash.clone());
    let matches = password::verify(password_given, stored).await.map_err(ApiError::internal)?;
    let user = match user {
        Some(user) if matches => user,
        _ => {
            return Err(ApiError::Unauthorized {
                code: "INVALID_CREDENTIALS",
                message: "Invalid e-mail or password".into(),
            })
        }
    };
    attempts::forget(ctx, &per_account).await?;
    attempts::take_back(ctx, &per_ip).await?;
    ensure_may_sign_in(user.status)?;
    let tokens = start_session(ctx, &user).await?;
    tracing::info!(user.id = user.id, "user logged in");
    Ok((user, tokens))
}

/// Banned and inactive accounts may not log in or refresh.
pub(crate) fn ensure_may_sign_in(status: UserStatus) -> Result<(), ApiError> {
    match status {
        UserStatus::Active => Ok(()),
        UserStatus::Banned => {
            Err(ApiError::Forbidden { code: "USER_BANNED", message: "This account is banned".into() })
        }
        UserStatus::Inactive => {
            Err(ApiError::Forbidden { code: "USER_INACTIVE", message: "This account is inactive".into() })
        }
    }
}
