//! Short-lived access tokens: HS256 JWTs carrying the user id and role,
//! issued by and for this API: `iss` and `aud` are set on every token and
//! checked on every verification, so a token signed with the same key for
//! another purpose (or by an older release, without them) is refused.

use std::time::Duration;

use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::domain::Role;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccessClaims {
    /// The user id, as a string per RFC 7519.
    pub sub: String,
    pub role: Role,
    pub iat: i64,
    pub exp: i64,
    /// Who issued it: [`DEFAULT_ISSUER`] unless `JWT_ISSUER` says otherwise.
    pub iss: String,
    /// Whom it is for: [`DEFAULT_AUDIENCE`] unless `JWT_AUDIENCE` says otherwise.
    pub aud: String,
}

/// `iss` of our access tokens when `JWT_ISSUER` is not set.
pub const DEFAULT_ISSUER: &str = "wa-campaigns";
/// `aud` of our access tokens when `JWT_AUDIENCE` is not set.
pub const DEFAULT_AUDIENCE: &str = "wa-campaigns-api";

impl AccessClaims {
    pub fn user_id(&self) -> Option<i64> {
        self.sub.parse().ok()
    }
}

#[derive(Clone)]
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    ttl: Duration,
    issuer: String,
    audience: String,
}

impl JwtKeys {
    pub fn new(secret: &str, ttl: Duration) -> Self {
        Self {
            encoding: EncodingKey::from_secret(secret.as_bytes()),
            decoding: DecodingKey::from_secret(secret.as_bytes()),
            ttl,
            issuer: DEFAULT_ISSUER.to_owned(),
            audience: DEFAULT_AUDIENCE.to_owned(),
        }
    }

    /// The `iss` put on every token and required on every verified one.
    pub fn with_issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuer = issuer.into();
        self
    }

    /// The `aud` put on every token and required on every verified one.
    pub fn with_audience(mut self, audience: impl Into<String>) -> Self {
        self.audience = audience.into();
        self
    }

    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    pub fn issue(&self, user_id: i64, role: Role) -> anyhow::Result<String> {
        let now = chrono::Utc::now().timestamp();
        let claims = AccessClaims {
            sub: user_id.to_string(),
            role,
            iat: now,
            exp: now + self.ttl.as_secs() as i64,
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
        };
        Ok(encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)?)
    }

    /// The claims of a valid, unexpired token signed with our key, issued
    /// by our issuer for our audience.
    pub fn verify(&self, token: &str) -> Option<AccessClaims> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 0;
        validation.set_required_spec_claims(&["exp", "sub", "iss", "aud"]);
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[&self.audience]);
        decode::<AccessClaims>(token, &self.decoding, &validation).ok().map(|data| data.claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issues_and_verifies() {
        let keys = JwtKeys::new(&"k".repeat(32), Duration::from_secs(60));
        let token = keys.issue(42, Role::Admin).unwrap();
        let claims = keys.verify(&token).unwrap();
        assert_eq!(claims.user_id(), Some(42));
        assert_eq!(claims.role, Role::Admin);
    }

    #[test]
    fn rejects_foreign_tampered_and_expired() {
        let keys = JwtKeys::new(&"k".repeat(32), Duration::from_secs(60));
        let other = JwtKeys::new(&"o".repeat(32), Duration::from_secs(60));
        assert!(keys.verify(&other.issue(1, Role::User).unwrap()).is_none());
        let mut token = keys.issue(1, Role::User).unwrap();
        token.push('x');
        assert!(keys.verify(&token).is_none());
        let expired = JwtKeys::new(&"k".repeat(32), Duration::ZERO).issue(1, Role::User).unwrap();
        std::thread::sleep(Duration::from_millis(1100));
        assert!(keys.verify(&expired).is_none());
    }

    fn keys() -> JwtKeys {
        JwtKeys::new(&"k".repeat(32), Duration::from_secs(60))
    }

    /// A token signed with the right key whose claims are `claims`.
    fn signed(claims: serde_json::Value) -> String {
        encode(&Header::new(Algorithm::HS256), &claims, &EncodingKey::from_secret("k".repeat(32).as_bytes())).unwrap()
    }

    fn claims_with(iss: Option<&str>, aud: Option<&str>) -> serde_json::Value {
        let now = chrono::Utc::now().timestamp();
        let mut claims = serde_json::json!({"sub": "7", "role": "USER", "iat": now, "exp": now + 60});
        if let Some(iss) = iss {
            claims["iss"] = iss.into();
        }
        if let Some(aud) = aud {
            claims["aud"] = aud.into();
        }
        claims
    }

    #[test]
    fn tokens_carry_the_issuer_and_audience() {
        let ours = keys().with_issuer("us").with_audience("our-api");
        let claims = ours.verify(&ours.issue(7, Role::User).unwrap()).unwrap();
        assert_eq!((claims.iss.as_str(), claims.aud.as_str()), ("us", "our-api"));
        let claims = keys().verify(&keys().issue(7, Role::User).unwrap()).unwrap();
        assert_eq!((claims.iss.as_str(), claims.aud.as_str()), (DEFAULT_ISSUER, DEFAULT_AUDIENCE));
        // The control: hand-made claims with the right values pass.
        assert!(keys().verify(&signed(claims_with(Some(DEFAULT_ISSUER), Some(DEFAULT_AUDIENCE)))).is_some());
    }

    #[test]
    fn a_wrong_issuer_is_refused() {
        assert!(keys().verify(&signed(claims_with(Some("someone-else"), Some(DEFAULT_AUDIENCE)))).is_none());
        let theirs = keys().with_issuer("someone-else").issue(7, Role::User).unwrap();
        assert!(keys().verify(&theirs).is_none());
    }

    #[test]
    fn a_wrong_audience_is_refused() {
        assert!(keys().verify(&signed(claims_with(Some(DEFAULT_ISSUER), Some("another-api")))).is_none());
        let theirs = keys().with_audience("another-api").issue(7, Role::User).unwrap();
        assert!(keys().verify(&theirs).is_none());
    }

    #[test]
    fn a_token_without_issuer_or_audience_is_refused() {
        // As issued before `iss`/`aud` existed.
        assert!(keys().verify(&signed(claims_with(None, None))).is_none());
        assert!(keys().verify(&signed(claims_with(Some(DEFAULT_ISSUER), None))).is_none());
        assert!(keys().verify(&signed(claims_with(None, Some(DEFAULT_AUDIENCE)))).is_none());
    }
}
