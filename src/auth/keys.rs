//! Ed25519 signing keys for access tokens, shared by every node through the store.
//!
//! On start each node proposes a freshly generated key; the store keeps it only if no current
//! key exists, so nodes starting together agree on one. Retired keys keep verifying (and stay in
//! the JWKS) so tokens they signed live out their lifetime. A token naming an unknown `kid`
//! makes the node re-read the keys (at most once per `RELOAD_EVERY`), which is how a rotation
//! done by another node reaches this one.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use aws_lc_rs::signature::{Ed25519KeyPair, KeyPair as _};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use gatehouse_domain::{SigningKeyRecord, Store};
use jsonwebtoken::{Algorithm, DecodingKey, Header};
use serde::Serialize;
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};

/// PKCS#8 v1 prefix of an Ed25519 private key; the 32-byte seed follows.
const PKCS8_ED25519_PREFIX: [u8; 16] = [
    0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
];
const RELOAD_EVERY: Duration = Duration::from_secs(5);

/// The current signing key, parsed once. `jsonwebtoken::encode` parses its PKCS#8 key on every
/// call, and parsing derives the public half: a second scalar multiplication that doubled the
/// cost of every token issued (measured with `costs`: 71 µs a token before; the cost now is in
/// `docs/performance.md`). The signature itself is aws-lc-rs's, the fastest Ed25519 among the
/// crates measured.
#[derive(Clone)]
pub struct Signer {
    kid: Arc<str>,
    key: Arc<Ed25519KeyPair>,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Signer({}, <redacted>)", self.kid)
    }
}

impl Signer {
    fn new(record: &SigningKeyRecord) -> anyhow::Result<Self> {
        let key = Ed25519KeyPair::from_pkcs8_maybe_unchecked(&record.private_der)
            .map_err(|e| anyhow::anyhow!("signing key {} is unreadable: {e}", record.kid))?;
        Ok(Self {
            kid: record.kid.as_str().into(),
            key: Arc::new(key),
        })
    }

    /// `claims` as a compact JWS (RFC 7515 §7.1) under this key: the header names the
    /// algorithm (`EdDSA`) and this key's `kid`.
    pub fn sign(&self, claims: &impl Serialize) -> anyhow::Result<String> {
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(self.kid.to_string());
        let mut token = String::with_capacity(512);
        URL_SAFE_NO_PAD.encode_string(serde_json::to_vec(&header)?, &mut token);
        token.push('.');
        URL_SAFE_NO_PAD.encode_string(serde_json::to_vec(claims)?, &mut token);
        let signature = self.key.sign(token.as_bytes());
        token.push('.');
        URL_SAFE_NO_PAD.encode_string(signature, &mut token);
        Ok(token)
    }
}

#[derive(Clone)]
pub struct Keys {
    store: Arc<dyn Store>,
    inner: Arc<RwLock<KeySet>>,
}

struct KeySet {
    signing: Signer,
    verifying: HashMap<String, DecodingKey>,
    jwks: Value,
    loaded_at: Instant,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Keys(<redacted>)")
    }
}

impl Keys {
    /// Makes sure a signing key exists, then loads every key.
    pub async fn load(store: Arc<dyn Store>, now: DateTime<Utc>) -> anyhow::Result<Self> {
        store.ensure_signing_key(generate(now)).await?;
        let set = read(store.as_ref()).await?;
        Ok(Self {
            store,
            inner: Arc::new(RwLock::new(set)),
        })
    }

    /// The key that signs new tokens.
    pub fn signer(&self) -> Signer {
        self.inner
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .signing
            .clone()
    }

    /// The verifying key for `kid`, re-reading the store once if it is unknown.
    pub async fn verifying(&self, kid: &str) -> Option<DecodingKey> {
        if let Some(key) = self.cached(kid) {
            return Some(key);
        }
        let stale = {
            let set = self
                .inner
                .read()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            set.loaded_at.elapsed() >= RELOAD_EVERY
        };
        if stale {
            match read(self.store.as_ref()).await {
                Ok(set) => {
                    *self
                        .inner
                        .write()
                        .unwrap_or_else(std::sync::PoisonError::into_inner) = set;
                }
                Err(e) => tracing::warn!(error = %e, "re-reading signing keys failed"),
            }
        }
        self.cached(kid)
    }

    /// The public keys as a JSON Web Key Set.
    pub fn jwks(&self) -> Value {
        self.inner
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .jwks
            .clone()
    }

    fn cached(&self, kid: &str) -> Option<DecodingKey> {
        let set = self
            .inner
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        set.verifying.get(kid).cloned()
    }
}

/// A new random key, its `kid` the RFC 7638 thumbprint of its public half.
fn generate(now: DateTime<Utc>) -> SigningKeyRecord {
    let seed: [u8; 32] = rand::random();
    let public = Ed25519KeyPair::from_seed_unchecked(&seed)
        .unwrap_or_else(|_| unreachable!("any 32 bytes are an Ed25519 seed"))
        .public_key()
        .as_ref()
        .to_vec();
    let mut private_der = PKCS8_ED25519_PREFIX.to_vec();
    private_der.extend_from_slice(&seed);
    SigningKeyRecord {
        kid: thumbprint(&public),
        private_der,
        public_raw: public,
        created_at: now,
        retired_at: None,
    }
}

fn thumbprint(public: &[u8]) -> String {
    let canonical = format!(
        r#"{{"crv":"Ed25519","kty":"OKP","x":"{}"}}"#,
        URL_SAFE_NO_PAD.encode(public)
    );
    URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes()))
}

async fn read(store: &dyn Store) -> anyhow::Result<KeySet> {
    let records = store.signing_keys().await?;
    let current = records
        .iter()
        .find(|k| k.retired_at.is_none())
        .ok_or_else(|| anyhow::anyhow!("the store holds no current signing key"))?;
    let jwks = json!({
        "keys": records.iter().map(|k| json!({
            "kty": "OKP",
            "crv": "Ed25519",
            "x": URL_SAFE_NO_PAD.encode(&k.public_raw),
            "kid": k.kid,
            "alg": "EdDSA",
            "use": "sig",
        })).collect::<Vec<_>>()
    });
    Ok(KeySet {
        signing: Signer::new(current)?,
        verifying: records
            .iter()
            .map(|k| (k.kid.clone(), DecodingKey::from_ed_der(&k.public_raw)))
            .collect(),
        jwks,
        loaded_at: Instant::now(),
    })
}

#[cfg(test)]
mod tests {
    use jsonwebtoken::{EncodingKey, Validation};

    use super::*;

    #[test]
    fn a_token_is_byte_for_byte_what_jsonwebtoken_signs_and_verifies() {
        let record = generate(Utc::now());
        let claims = json!({"sub": "ann", "exp": 4_102_444_800_i64, "note": "ünïcode ✓ \"q\""});

        let ours = Signer::new(&record)
            .expect("signer")
            .sign(&claims)
            .expect("signed");

        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(record.kid.clone());
        let theirs = jsonwebtoken::encode(
            &header,
            &claims,
            &EncodingKey::from_ed_der(&record.private_der),
        )
        .expect("jsonwebtoken signs");
        assert_eq!(ours, theirs, "Ed25519 is deterministic: the same token");
        let decoded = jsonwebtoken::decode::<Value>(
            &ours,
            &DecodingKey::from_ed_der(&record.public_raw),
            &Validation::new(Algorithm::EdDSA),
        )
        .expect("verifies");
        assert_eq!(decoded.claims, claims);
        assert_eq!(decoded.header.kid.as_deref(), Some(record.kid.as_str()));
    }
}
