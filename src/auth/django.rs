//! Django password hashes, so users imported from a Django site keep their passwords.
//!
//! `pbkdf2_sha256$<iterations>$<salt>$<base64 hash>` is Django's default; `argon2$<PHC>` its
//! Argon2 hasher. Both are verified in constant time and then re-hashed as Argon2id by the
//! login path. (`bcrypt_sha256` is not supported: no Django default ever used it.)

use argon2::password_hash::PasswordVerifier as _;
use argon2::password_hash::phc::PasswordHash;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use subtle::ConstantTimeEq as _;

/// Iteration counts beyond this are refused rather than run: a hash is data, and data must not
/// be able to pin a CPU for minutes. Django 5.2 uses 1,000,000.
const MAX_PBKDF2_ITERATIONS: u32 = 10_000_000;

#[derive(Debug, PartialEq, Eq)]
pub enum Hash<'a> {
    Pbkdf2Sha256 {
        iterations: u32,
        salt: &'a str,
        hash: &'a str,
    },
    /// The PHC string after Django's `argon2` prefix.
    Argon2 { phc: &'a str },
}

impl<'a> Hash<'a> {
    /// Recognises a Django hash; `None` for anything else (including gatehouse's own PHC strings).
    pub fn parse(stored: &'a str) -> Option<Self> {
        if let Some(rest) = stored.strip_prefix("pbkdf2_sha256$") {
            let mut parts = rest.splitn(3, '$');
            let iterations = parts.next()?.parse().ok()?;
            let salt = parts.next()?;
            let hash = parts.next()?;
            return Some(Self::Pbkdf2Sha256 {
                iterations,
                salt,
                hash,
            });
        }
        stored
            .strip_prefix("argon2")
            .filter(|phc| phc.starts_with("$argon2"))
            .map(|phc| Self::Argon2 { phc })
    }

    pub fn verify(&self, password: &str) -> bool {
        match *self {
            Self::Pbkdf2Sha256 {
                iterations,
                salt,
                hash,
            } => {
                if iterations == 0 || iterations > MAX_PBKDF2_ITERATIONS {
                    return false;
                }
                let Ok(expected) = STANDARD.decode(hash) else {
                    return false;
                };
                if expected.is_empty() || expected.len() > 64 {
                    return false;
                }
                let mut derived = vec![0u8; expected.len()];
                pbkdf2::pbkdf2_hmac::<pbkdf2::sha2::Sha256>(
                    password.as_bytes(),
                    salt.as_bytes(),
                    iterations,
                    &mut derived,
                );
                derived.ct_eq(&expected).into()
            }
            Self::Argon2 { phc } => {
                // Django writes "argon2" + the PHC string, which itself starts with "$argon2…".
                PasswordHash::new(phc).is_ok_and(|hash| {
                    argon2::Argon2::default()
                        .verify_password(password.as_bytes(), &hash)
                        .is_ok()
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Hash;

    // Both made by Django 5.2.8:
    // make_password("correct horse", salt="Xr4VWqWZrVlA8cJZ", hasher=…)
    const PBKDF2: &str =
        "pbkdf2_sha256$1000000$Xr4VWqWZrVlA8cJZ$V/5nJiCIiyQ2JJtQfqlV7EOZsiQFPKswYi6eDBqwWyE=";
    const ARGON2: &str = "argon2$argon2id$v=19$m=102400,t=2,p=8$WHI0VldxV1pyVmxBOGNKWg$CVwtd+zcp+ic234ehQC1kj2UWqDNrNc6di/CGjtyUoI";

    #[test]
    fn django_pbkdf2_hashes_verify_their_password_only() {
        let hash = Hash::parse(PBKDF2).expect("recognised");
        assert!(hash.verify("correct horse"));
        assert!(!hash.verify("correct horsE"));
    }

    #[test]
    fn django_argon2_hashes_verify_their_password_only() {
        let hash = Hash::parse(ARGON2).expect("recognised");
        assert!(hash.verify("correct horse"));
        assert!(!hash.verify("correct horsE"));
    }

    #[test]
    fn absurd_iteration_counts_are_refused_without_running() {
        let hash = Hash::parse("pbkdf2_sha256$4000000000$salt$AAAA").expect("recognised");
        assert!(!hash.verify("anything"));
    }

    #[test]
    fn gatehouse_hashes_are_not_django_hashes() {
        assert_eq!(Hash::parse("$argon2id$v=19$m=19456,t=2,p=1$abc$def"), None);
    }
}
