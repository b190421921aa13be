//! TOTP (RFC 6238: HMAC-SHA1, 6 digits, 30 s steps — what every authenticator app speaks) and
//! the sealing of its secret at rest.
//!
//! The secret is the one credential of the second factor, and unlike a password it must be read
//! back to compute codes, so it cannot be hashed. It is sealed with AES-256-GCM under a server
//! key kept with the other server secrets, and the user's id is the associated data: a copy of
//! the `mfa_totp` table alone yields no secret, and a sealed secret moved to another account
//! does not open. Codes are checked at the current step and one step either side, every
//! candidate compared in constant time; which step matched is returned so the store can refuse
//! any step not after the last one accepted (no code works twice).

use aes_gcm::Aes256Gcm;
use aes_gcm::aead::{Aead, KeyInit, Payload};
use chrono::{DateTime, Utc};
use gatehouse_domain::{OtpCode, UserId};
use subtle::ConstantTimeEq as _;
use totp_rs::{Algorithm, Builder, Secret, Totp};

/// Length of a generated secret: 160 bits, RFC 4226's recommendation for HMAC-SHA1.
const SECRET_LEN: usize = 20;
/// Seconds per step.
const STEP: i64 = 30;
/// Steps accepted either side of the current one (clock drift between phone and server).
const SKEW: i64 = 1;
/// First byte of a sealed secret, so the format can change later.
const SEALED_V1: u8 = 1;
const NONCE_LEN: usize = 12;

/// Why a sealed secret cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum TotpError {
    #[error("the stored TOTP secret does not open with the server key")]
    Unsealable,
    #[error("TOTP parameters: {0}")]
    Build(String),
}

#[derive(Clone)]
pub struct Totps {
    cipher: Aes256Gcm,
    issuer: String,
}

impl std::fmt::Debug for Totps {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Totps")
            .field("issuer", &self.issuer)
            .finish_non_exhaustive()
    }
}

/// A plain TOTP secret; never logged.
pub struct PlainSecret(Vec<u8>);

impl std::fmt::Debug for PlainSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PlainSecret(<redacted>)")
    }
}

impl Totps {
    /// `key` is the 32-byte server key; `issuer` is shown by authenticator apps (the site name;
    /// a `:` would break the otpauth label, so it is replaced).
    pub fn new(key: &[u8], issuer: &str) -> anyhow::Result<Self> {
        let cipher = Aes256Gcm::new_from_slice(key)
            .map_err(|_| anyhow::anyhow!("the TOTP sealing key must be 32 bytes"))?;
        Ok(Self {
            cipher,
            issuer: issuer.replace(':', " "),
        })
    }

    /// A new random secret.
    pub fn generate() -> PlainSecret {
        PlainSecret(rand::random::<[u8; SECRET_LEN]>().to_vec())
    }

    /// The stored form of `secret` for `user`: version, nonce, ciphertext and tag.
    pub fn seal(&self, user: UserId, secret: &PlainSecret) -> anyhow::Result<Vec<u8>> {
        let nonce: [u8; NONCE_LEN] = rand::random();
        let aad = user.0.to_be_bytes();
        let sealed = self
            .cipher
            .encrypt(
                &nonce.into(),
                Payload {
                    msg: &secret.0,
                    aad: &aad,
                },
            )
            .map_err(|_| anyhow::anyhow!("sealing a TOTP secret failed"))?;
        let mut out = Vec::with_capacity(1 + NONCE_LEN + sealed.len());
        out.push(SEALED_V1);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    /// The secret `seal` stored for `user`.
    pub fn open(&self, user: UserId, sealed: &[u8]) -> Result<PlainSecret, TotpError> {
        let Some((&SEALED_V1, rest)) = sealed.split_first() else {
            return Err(TotpError::Unsealable);
        };
        let (nonce, ciphertext) = rest
            .split_at_checked(NONCE_LEN)
            .ok_or(TotpError::Unsealable)?;
        let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| TotpError::Unsealable)?;
        let aad = user.0.to_be_bytes();
        self.cipher
            .decrypt(
                &nonce.into(),
                Payload {
                    msg: ciphertext,
                    aad: &aad,
                },
            )
            .map(PlainSecret)
            .map_err(|_| TotpError::Unsealable)
    }

    /// The base32 secret (what a person types into an app) and the `otpauth://` URL (what a QR
    /// code carries) for `account`.
    pub fn provisioning(
        &self,
        secret: &PlainSecret,
        account: &str,
    ) -> Result<(String, String), TotpError> {
        let totp = Builder::new()
            .with_algorithm(Algorithm::SHA1)
            .with_digits(6)
            .with_step_duration(STEP.unsigned_abs())
            .with_secret(Secret::from(secret.0.clone()))
            .with_issuer(Some(self.issuer.as_str()))
            .with_account_name(account.replace(':', " "))
            .build()
            .map_err(|e| TotpError::Build(e.to_string()))?;
        let url = totp.to_url().map_err(|e| TotpError::Build(e.to_string()))?;
        Ok((totp.secret().to_base32(), url))
    }

    /// The time step `code` is valid for at `now` (current ±1), if it is one after `last_step`.
    /// Every candidate step is computed and compared in constant time; when several match, the
    /// newest wins.
    pub fn matching_step(
        secret: &PlainSecret,
        code: &OtpCode,
        now: DateTime<Utc>,
        last_step: i64,
    ) -> Result<Option<i64>, TotpError> {
        let totp = Builder::new()
            .with_algorithm(Algorithm::SHA1)
            .with_digits(6)
            .with_step_duration(STEP.unsigned_abs())
            .with_secret(Secret::from(secret.0.clone()))
            .build()
            .map_err(|e| TotpError::Build(e.to_string()))?;
        let current = now.timestamp().div_euclid(STEP);
        let mut found = None;
        for step in current - SKEW..=current + SKEW {
            let matches = step >= 0 && code_at(&totp, step).ct_eq(code.expose().as_bytes()).into();
            if matches && step > last_step {
                found = Some(step);
            }
        }
        Ok(found)
    }
}

/// The 6-digit code of `step`.
fn code_at(totp: &Totp, step: i64) -> Vec<u8> {
    let time = u64::try_from(step * STEP).unwrap_or(0);
    totp.generate(time).to_string().into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn totps() -> Totps {
        Totps::new(&[7; 32], "gatehouse").expect("32-byte key")
    }

    #[test]
    fn a_sealed_secret_opens_only_for_its_user() {
        let secret = Totps::generate();
        let sealed = totps().seal(UserId(1), &secret).expect("seals");
        assert_eq!(totps().open(UserId(1), &sealed).expect("opens").0, secret.0);
        assert!(totps().open(UserId(2), &sealed).is_err());
        let other = Totps::new(&[8; 32], "gatehouse").expect("32-byte key");
        assert!(other.open(UserId(1), &sealed).is_err());
        assert!(totps().open(UserId(1), &sealed[..10]).is_err());
    }

    #[test]
    fn rfc_6238_sha1_vector_matches_its_step() {
        // RFC 6238 appendix B: the SHA-1 secret "12345678901234567890" at T = 59 s is 94287082;
        // with 6 digits that is 287082, step 1.
        let secret = PlainSecret(b"12345678901234567890".to_vec());
        let at = DateTime::from_timestamp(59, 0).expect("valid time");
        let code = OtpCode::parse("287082").expect("six digits");
        assert_eq!(
            Totps::matching_step(&secret, &code, at, -1).ok().flatten(),
            Some(1)
        );
        assert_eq!(
            Totps::matching_step(&secret, &code, at, 1).ok().flatten(),
            None
        );
        let later = DateTime::from_timestamp(59 + 60, 0).expect("valid time");
        assert_eq!(
            Totps::matching_step(&secret, &code, later, -1)
                .ok()
                .flatten(),
            None
        );
    }
}
