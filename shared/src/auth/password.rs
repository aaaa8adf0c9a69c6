//! Password hashing with argon2id at OWASP's recommended parameters
//! (19 MiB memory, 2 passes, 1 lane). Hashing is CPU-bound, so it runs on
//! the blocking pool rather than stalling the async runtime.

use std::sync::LazyLock;

use argon2::{
    password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString},
    Algorithm, Argon2, Params, Version,
};

fn hasher() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hash a password into a PHC string (salt and parameters included).
pub async fn hash(password: String) -> anyhow::Result<String> {
    tokio::task::spawn_blocking(move || hash_blocking(&password)).await?
}

pub fn hash_blocking(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    let hash = hasher()
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| anyhow::anyhow!("argon2 hashing failed: {e}"))?;
    Ok(hash.to_string())
}

/// A real hash of nothing in particular: checking a password against it when
/// the e-mail is unknown makes "no such user" take as long as "wrong password".
static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| hash_blocking("timing-equalizer-not-a-password-1").expect("argon2 works"));

/// Whether `password` matches `stored`; `None` checks against a dummy hash
/// and always answers false.
pub async fn verify(password: String, stored: Option<String>) -> anyhow::Result<bool> {
    tokio::task::spawn_blocking(move || {
        let known = stored.is_some();
        let stored = stored.unwrap_or_else(|| DUMMY_HASH.clone());
        let parsed = PasswordHash::new(&stored).map_err(|e| anyhow::anyhow!("stored hash is malformed: {e}"))?;
        let matches = hasher().verify_password(password.as_bytes(), &parsed).is_ok();
        Ok(known && matches)
    })
    .await?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn round_trip() {
        let stored = hash("correct horse 1".into()).await.unwrap();
        assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify("correct horse 1".into(), Some(stored.clone())).await.unwrap());
        assert!(!verify("wrong horse 1".into(), Some(stored)).await.unwrap());
        assert!(!verify("timing-equalizer-not-a-password-1".into(), None).await.unwrap());
    }
}
