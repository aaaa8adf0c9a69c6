//! Six-digit one-time codes, stored as a keyed hash (HMAC-SHA256) bound to
//! the target, channel and purpose, so a stolen table row is useless and a
//! code for one address does not verify for another.

use hmac::{Hmac, Mac};
use rand::Rng;
use sha2::Sha256;

use crate::domain::{OtpChannel, StoredOtpPurpose};

pub fn generate() -> String {
    format!("{:06}", rand::rngs::OsRng.gen_range(0..1_000_000u32))
}

#[derive(Clone)]
pub struct OtpHasher {
    key: Vec<u8>,
}

impl OtpHasher {
    /// Derives the hashing key from the service secret with a fixed label,
    /// so one configured secret serves both JWTs and codes without reuse.
    pub fn new(service_secret: &str) -> Self {
        let mut mac = Hmac::<Sha256>::new_from_slice(service_secret.as_bytes()).expect("any key length");
        mac.update(b"otp-code-hashing-v1");
        Self { key: mac.finalize().into_bytes().to_vec() }
    }

    fn mac(&self, target: &str, channel: OtpChannel, purpose: StoredOtpPurpose, code: &str) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("any key length");
        for part in [target, channel.as_str(), purpose.as_str(), code] {
            mac.update(part.as_bytes());
            mac.update(&[0]);
        }
        mac
    }

    pub fn hash(&self, target: &str, channel: OtpChannel, purpose: impl Into<StoredOtpPurpose>, code: &str) -> String {
        hex::encode(self.mac(target, channel, purpose.into(), code).finalize().into_bytes())
    }

    /// Constant-time comparison against a stored hash.
    pub fn matches(
        &self,
        stored_hex: &str,
        target: &str,
        channel: OtpChannel,
        purpose: impl Into<StoredOtpPurpose>,
        code: &str,
    ) -> bool {
        let Ok(stored) = hex::decode(stored_hex) else { return false };
        self.mac(target, channel, purpose.into(), code).verify_slice(&stored).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::OtpPurpose;

    #[test]
    fn codes_are_six_digits() {
        for _ in 0..100 {
            let code = generate();
            assert_eq!(code.len(), 6);
            assert!(code.chars().all(|c| c.is_ascii_digit()));
        }
    }

    #[test]
    fn hash_is_bound_to_target() {
        let hasher = OtpHasher::new("secret");
        let stored = hasher.hash("989123456789", OtpChannel::Sms, OtpPurpose::Register, "123456");
        assert!(hasher.matches(&stored, "989123456789", OtpChannel::Sms, OtpPurpose::Register, "123456"));
        assert!(!hasher.matches(&stored, "989123456789", OtpChannel::Sms, OtpPurpose::Register, "123457"));
        assert!(!hasher.matches(&stored, "989121111111", OtpChannel::Sms, OtpPurpose::Register, "123456"));
    }
}
