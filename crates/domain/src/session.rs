//! Sessions: one row per login on one device. A session is the family of every refresh token
//! rotated from that login, and the `sid` claim of every access token issued for it, so revoking
//! the row ends both at once.

use chrono::{DateTime, Utc};

use crate::{SessionId, UserId};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub id: SessionId,
    pub user_id: UserId,
    /// How many times the refresh token was rotated; the live refresh token carries this value.
    pub counter: i64,
    pub user_agent: String,
    pub ip: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: DateTime<Utc>,
    /// When the counter last moved; a token one step behind is forgiven until `rotated_at + grace`.
    pub rotated_at: Option<DateTime<Utc>>,
    pub expires_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone)]
pub struct NewSession {
    pub id: SessionId,
    pub user_id: UserId,
    pub user_agent: String,
    pub ip: String,
    pub now: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// A revoked session, as the revocation set needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RevokedSession {
    pub id: SessionId,
    pub revoked_at: DateTime<Utc>,
}
