//! Access tokens: short-lived EdDSA JWTs.
//!
//! Verification pins the algorithm (EdDSA only: `alg: none` and HS256 forgeries fail), requires a
//! known `kid`, checks `iss`, `token_type` and `exp` against the injected clock, and finally the
//! node's revocation set, so a revoked session's tokens stop working at once. A token whose
//! signature verified is remembered (by its SHA-256) so its next uses skip the signature check;
//! expiry and revocation are checked on every use.

use std::collections::HashMap;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use chrono::{DateTime, Utc};
use gatehouse_domain::{SessionId, User};
use jsonwebtoken::{Algorithm, Validation};
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};
use uuid::Uuid;

use super::keys::Keys;
use super::revocation::Revocations;

pub const ACCESS: &str = "access";

/// The claims of an access token; informational for other services, since authorization here
/// reads the user's current state.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub sub: Uuid,
    pub user_id: i64,
    pub sid: Uuid,
    pub jti: Uuid,
    pub iat: i64,
    pub exp: i64,
    pub token_type: String,
    pub role: String,
    pub iss: String,
}

/// Why a token was refused; each maps to 401 `token_not_valid` with its own message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("Token is invalid.")]
    Invalid,
    #[error("Token is expired.")]
    Expired,
    #[error("Token has wrong type.")]
    WrongType,
    #[error("Token has been revoked.")]
    Revoked,
}

#[derive(Debug, Clone)]
pub struct AccessTokens {
    keys: Keys,
    revocations: Revocations,
    issuer: String,
    ttl: Duration,
    leeway: Duration,
    /// Tokens whose signature already verified, by SHA-256 of the token: a client presents the
    /// same token many times, and an Ed25519 verification costs ~50 µs where a lookup costs ~1.
    /// Expiry and revocation are still checked on every use.
    verified: Arc<RwLock<HashMap<[u8; 32], Claims>>>,
}

/// Entries the verified-token cache holds before it drops expired ones (and, if still full,
/// everything): bounded memory whatever the traffic.
const VERIFIED_CAPACITY: usize = 65_536;

impl AccessTokens {
    pub fn new(
        keys: Keys,
        revocations: Revocations,
        issuer: String,
        ttl: Duration,
        leeway: Duration,
    ) -> Self {
        Self {
            keys,
            revocations,
            issuer,
            ttl,
            leeway,
            verified: Arc::default(),
        }
    }

    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    /// Signs an access token for `user` in `session`.
    pub fn issue(
        &self,
        user: &User,
        session: SessionId,
        now: DateTime<Utc>,
    ) -> anyhow::Result<String> {
        let claims = Claims {
            sub: user.public_id.0,
            user_id: user.id.0,
            sid: session.0,
            jti: Uuid::new_v4(),
            iat: now.timestamp(),
            exp: now.timestamp() + i64::try_from(self.ttl.as_secs()).unwrap_or(i64::MAX / 2),
            token_type: ACCESS.to_owned(),
            role: user.role.as_ref().to_owned(),
            iss: self.issuer.clone(),
        };
        self.keys.signer().sign(&claims)
    }

    /// Verifies an access token completely, including revocation.
    pub async fn verify(&self, token: &str, now: DateTime<Utc>) -> Result<Claims, TokenError> {
        let digest: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        let cached = self
            .verified
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&digest)
            .cloned();
        let claims = match cached {
            Some(claims) => claims,
            None => {
                let claims = self.verify_signature(token).await?;
                self.remember(digest, &claims, now);
                claims
            }
        };
        let leeway = i64::try_from(self.leeway.as_secs()).unwrap_or(0);
        if now.timestamp() >= claims.exp + leeway {
            return Err(TokenError::Expired);
        }
        if claims.iat > now.timestamp() + leeway + 60 {
            return Err(TokenError::Invalid);
        }
        if self.revocations.is_revoked(SessionId(claims.sid)) {
            return Err(TokenError::Revoked);
        }
        Ok(claims)
    }

    /// The claims of a token signed by one of our keys with the pinned algorithm, issuer and type.
    async fn verify_signature(&self, token: &str) -> Result<Claims, TokenError> {
        let header = jsonwebtoken::decode_header(token).map_err(|_| TokenError::Invalid)?;
        if header.alg != Algorithm::EdDSA {
            return Err(TokenError::Invalid);
        }
        let kid = header.kid.ok_or(TokenError::Invalid)?;
        let key = self.keys.verifying(&kid).await.ok_or(TokenError::Invalid)?;
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.validate_exp = false; // checked by the caller against the injected clock
        validation.required_spec_claims = ["exp", "iat", "iss", "sub"]
            .iter()
            .map(ToString::to_string)
            .collect();
        validation.set_issuer(&[&self.issuer]);
        let claims = jsonwebtoken::decode::<Claims>(token, &key, &validation)
            .map_err(|_| TokenError::Invalid)?
            .claims;
        if claims.token_type != ACCESS {
            return Err(TokenError::WrongType);
        }
        Ok(claims)
    }

    fn remember(&self, digest: [u8; 32], claims: &Claims, now: DateTime<Utc>) {
        let mut verified = self
            .verified
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        if verified.len() >= VERIFIED_CAPACITY {
            let leeway = i64::try_from(self.leeway.as_secs()).unwrap_or(0);
            verified.retain(|_, c| c.exp + leeway > now.timestamp());
            if verified.len() >= VERIFIED_CAPACITY {
                verified.clear();
            }
        }
        verified.insert(digest, claims.clone());
    }
}
