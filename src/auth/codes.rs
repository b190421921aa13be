//! One-time secrets on the server side: generation from the OS CSPRNG, keyed hashing, and
//! constant-time checks. The store never sees a code or token, only its HMAC.
//!
//! A code's hash is keyed with the server secret and bound to its user (by public id, known
//! before the user row exists) and purpose, so a code
//! is worthless for any other account or flow even if two happen to be equal. A link token is
//! 256 random bits; its hash is bound to the purpose and looked up directly.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use gatehouse_domain::{OtpCode, PublicId, Purpose};
use hmac::{Hmac, Mac as _};
use rand::RngExt as _;
use sha2::Sha256;
use subtle::ConstantTimeEq as _;

/// Characters of a recovery code (RFC 4648 base32, lower case).
const RECOVERY_ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
const RECOVERY_LEN: usize = 10;

#[derive(Clone)]
pub struct Codes {
    key: Vec<u8>,
}

impl std::fmt::Debug for Codes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Codes(<redacted>)")
    }
}

impl Codes {
    pub fn new(key: Vec<u8>) -> Self {
        Self { key }
    }

    /// A uniformly random 6-digit code.
    pub fn new_code() -> OtpCode {
        OtpCode::from_number(rand::rng().random_range(0..1_000_000))
    }

    /// A random link token: 32 bytes, URL-safe.
    pub fn new_token() -> String {
        URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>())
    }

    /// The stored form of `code` for `user` and `purpose`.
    pub fn code_hash(&self, user: PublicId, purpose: Purpose, code: &OtpCode) -> Vec<u8> {
        let mut mac = self.mac(purpose);
        mac.update(user.0.as_bytes());
        mac.update(code.expose().as_bytes());
        mac.finalize().into_bytes().to_vec()
    }

    /// The stored (and looked-up) form of a link token.
    pub fn token_hash(&self, purpose: Purpose, token: &str) -> Vec<u8> {
        let mut mac = self.mac(purpose);
        mac.update(b"token:");
        mac.update(token.as_bytes());
        mac.finalize().into_bytes().to_vec()
    }

    /// Whether `code` is the one stored as `stored`, compared in constant time.
    pub fn code_matches(
        &self,
        user: PublicId,
        purpose: Purpose,
        code: &OtpCode,
        stored: &[u8],
    ) -> bool {
        self.code_hash(user, purpose, code).ct_eq(stored).into()
    }

    /// A recovery code: 10 random base32 characters (50 bits), shown as `xxxxx-xxxxx`.
    pub fn new_recovery_code() -> String {
        let mut rng = rand::rng();
        let chars: Vec<u8> = (0..RECOVERY_LEN)
            .map(|_| RECOVERY_ALPHABET[rng.random_range(0..RECOVERY_ALPHABET.len())])
            .collect();
        let (left, right) = chars.split_at(RECOVERY_LEN / 2);
        format!(
            "{}-{}",
            String::from_utf8_lossy(left),
            String::from_utf8_lossy(right)
        )
    }

    /// The stored form of a recovery code of `user`, typed in any case, with or without the dash
    /// and spaces; `None` when it cannot be one.
    pub fn recovery_hash(&self, user: PublicId, code: &str) -> Option<Vec<u8>> {
        let normal: Vec<u8> = code
            .bytes()
            .filter(|b| *b != b'-' && !b.is_ascii_whitespace())
            .map(|b| b.to_ascii_lowercase())
            .collect();
        if normal.len() != RECOVERY_LEN || !normal.iter().all(|b| RECOVERY_ALPHABET.contains(b)) {
            return None;
        }
        let mut mac = self.keyed(b"gatehouse recovery code v1:");
        mac.update(user.0.as_bytes());
        mac.update(&normal);
        Some(mac.finalize().into_bytes().to_vec())
    }

    fn mac(&self, purpose: Purpose) -> Hmac<Sha256> {
        let mut mac = self.keyed(b"gatehouse one-time secret v1:");
        mac.update(purpose.as_str().as_bytes());
        mac.update(b":");
        mac
    }

    fn keyed(&self, domain: &[u8]) -> Hmac<Sha256> {
        let mut mac = <Hmac<Sha256> as hmac::Mac>::new_from_slice(&self.key)
            .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
        mac.update(domain);
        mac
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_matches_only_its_user_and_purpose() {
        let codes = Codes::new(vec![1; 32]);
        let code = OtpCode::parse("012345").expect("valid");
        let (ann, bob) = (PublicId::random(), PublicId::random());
        let stored = codes.code_hash(ann, Purpose::Activation, &code);
        assert!(codes.code_matches(ann, Purpose::Activation, &code, &stored));
        assert!(!codes.code_matches(bob, Purpose::Activation, &code, &stored));
        assert!(!codes.code_matches(ann, Purpose::Login, &code, &stored));
        let other = OtpCode::parse("012346").expect("valid");
        assert!(!codes.code_matches(ann, Purpose::Activation, &other, &stored));
    }

    #[test]
    fn a_recovery_code_hashes_the_same_however_it_is_typed() {
        let codes = Codes::new(vec![1; 32]);
        let user = PublicId::random();
        let code = Codes::new_recovery_code();
        assert_eq!(code.len(), 11);
        let stored = codes.recovery_hash(user, &code).expect("a recovery code");
        let typed = format!(" {} ", code.to_uppercase().replace('-', ""));
        assert_eq!(codes.recovery_hash(user, &typed), Some(stored.clone()));
        assert_ne!(codes.recovery_hash(PublicId::random(), &code), Some(stored));
        assert_eq!(codes.recovery_hash(user, "too-short"), None);
        assert_eq!(codes.recovery_hash(user, "abcde-fgh18"), None);
    }

    #[test]
    fn generated_codes_are_six_digits_and_tokens_are_long() {
        for _ in 0..100 {
            assert!(OtpCode::parse(Codes::new_code().expose()).is_ok());
        }
        assert_eq!(Codes::new_token().len(), 43);
        assert_ne!(Codes::new_token(), Codes::new_token());
    }
}
