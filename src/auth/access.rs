//! Access tokens: short-lived EdDSA JWTs.
//!
//! Verification pins the algorithm (EdDSA only: `alg: none` and HS256 forgeries fail), requires a
//! known `kid`, checks `iss`, `token_type` and `exp` against the injected clock, and finally the
//! node's revocation set, so a revoked session's tokens stop working at once.

use std::time::Duration;

use chrono::{DateTime, Utc};
use gatehouse_domain::{SessionId, User};
use jsonwebtoken::{Algorithm, Header, Validation};
use serde::{Deserialize, Serialize};
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
}

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
        let (kid, key) = self.keys.signing();
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(kid);
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
        Ok(jsonwebtoken::encode(&header, &claims, &key)?)
    }

    /// Verifies an access token completely, including revocation.
    pub async fn verify(&self, token: &str, now: DateTime<Utc>) -> Result<Claims, TokenError> {
        let header = jsonwebtoken::decode_header(token).map_err(|_| TokenError::Invalid)?;
        if header.alg != Algorithm::EdDSA {
            return Err(TokenError::Invalid);
        }
        let kid = header.kid.ok_or(TokenError::Invalid)?;
        let key = self.keys.verifying(&kid).await.ok_or(TokenError::Invalid)?;
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.validate_exp = false; // checked below against the injected clock
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
}
