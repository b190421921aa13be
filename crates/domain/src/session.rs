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

impl Session {
    /// Neither revoked nor expired at `now`.
    pub fn is_live(&self, now: DateTime<Utc>) -> bool {
        self.revoked_at.is_none() && self.expires_at > now
    }
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

/// One refresh rotation: move session `id` from counter `from` to `from + 1`, provided it is
/// still at `from`, unrevoked and unexpired at `now`; it then expires at `expires_at`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Advance {
    pub id: SessionId,
    pub from: i64,
    pub now: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// The steps a batch of rotations sends: each distinct (session, `from`) once. A batch is one
/// statement joining sessions to steps, and a row joined to two identical steps would be
/// updated by only one of them; distinct `from`s never both match, as a session has one counter.
pub fn distinct_steps(steps: &[Advance]) -> Vec<Advance> {
    let mut seen = std::collections::HashSet::with_capacity(steps.len());
    steps
        .iter()
        .filter(|s| seen.insert((s.id, s.from)))
        .copied()
        .collect()
}

/// The answer to each of `steps`, from what their batch `moved`: (session, the counter it moved
/// from, its user). The first step that matches a move gets the user; every other step `None`,
/// so a session moves at most once per batch, as if the steps ran one after another.
pub fn answer_steps(steps: &[Advance], moved: &[(SessionId, i64, UserId)]) -> Vec<Option<UserId>> {
    let mut moved: std::collections::HashMap<(SessionId, i64), UserId> = moved
        .iter()
        .map(|&(id, from, user)| ((id, from), user))
        .collect();
    steps
        .iter()
        .map(|s| moved.remove(&(s.id, s.from)))
        .collect()
}

/// A revoked session, as the revocation set needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RevokedSession {
    pub id: SessionId,
    pub revoked_at: DateTime<Utc>,
}
