//! Short-lived access tokens: HS256 JWTs carrying the user id and role.

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
}

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
}

impl JwtKeys {
    pub fn new(secret: &str, ttl: Duration) -> Self {
        Self {
            encoding: EncodingKey::from_secret(secret.as_bytes()),
            decoding: DecodingKey::from_secret(secret.as_bytes()),
            ttl,
        }
    }

    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    pub fn issue(&self, user_id: i64, role: Role) -> anyhow::Result<String> {
        let now = chrono::Utc::now().timestamp();
        let claims = AccessClaims { sub: user_id.to_string(), role, iat: now, exp: now + self.ttl.as_secs() as i64 };
        Ok(encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)?)
    }

    /// The claims of a valid, unexpired token signed with our key.
    pub fn verify(&self, token: &str) -> Option<AccessClaims> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 0;
        validation.set_required_spec_claims(&["exp", "sub"]);
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
}
