//! Session use cases: open one at login, rotate its refresh token, end it.
//!
//! Rotation rules, in order, for a presented refresh token at counter `c` of a live session at
//! counter `n`:
//! - `c == n`: move the session to `n + 1` (compare-and-set) and issue that token;
//! - `c == n - 1` within `refresh_grace` of the last rotation: the client lost the answer or
//!   raced another request, so answer again with the token for `n` (the same string);
//! - any other older token: it was stolen or replayed, so the whole session is revoked and the
//!   caller told `refresh_token_reused`.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use gatehouse_domain::{NewSession, Session, SessionId, Store, StoreError, User, UserId};

use super::{AccessTokens, RefreshCodec, Revocations};
use crate::clock::Clock;

/// What the client is, as recorded on its session.
#[derive(Debug, Clone, Default)]
pub struct Device {
    pub user_agent: String,
    pub ip: String,
}

/// A fresh access token and the session's current refresh token.
#[derive(Debug, Clone)]
pub struct TokenPair {
    pub access: String,
    pub refresh: String,
    pub session: SessionId,
    /// Access token lifetime in seconds.
    pub expires_in: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum RefreshError {
    /// Not a refresh token of ours, or its session no longer exists.
    #[error("Token is invalid or expired.")]
    Invalid,
    /// The session was revoked (logout, password change, reuse) or expired.
    #[error("Token is invalid or expired.")]
    Ended,
    /// An old token was replayed; the session has just been revoked because of it.
    #[error("Refresh token was already used; the session has been revoked.")]
    Reused,
    /// The account was deactivated or deleted.
    #[error("No active account found for this token.")]
    Inactive,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Signing(anyhow::Error),
}

#[derive(Debug, Clone)]
pub struct Sessions {
    store: Arc<dyn Store>,
    access: AccessTokens,
    codec: RefreshCodec,
    revocations: Revocations,
    clock: Clock,
    refresh_ttl: Duration,
    grace: Duration,
}

impl Sessions {
    pub fn new(
        store: Arc<dyn Store>,
        access: AccessTokens,
        codec: RefreshCodec,
        revocations: Revocations,
        clock: Clock,
        refresh_ttl: Duration,
        grace: Duration,
    ) -> Self {
        Self {
            store,
            access,
            codec,
            revocations,
            clock,
            refresh_ttl,
            grace,
        }
    }

    pub fn access(&self) -> &AccessTokens {
        &self.access
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// The user as stored now, from this node's cache when it read them within its time to live.
    pub async fn current_user(&self, id: UserId) -> Result<Option<User>, StoreError> {
        if let Some(user) = self.revocations.users().get(id) {
            return Ok(Some(user));
        }
        let user = self.store.user_by_id(id).await?;
        if let Some(user) = &user {
            self.revocations.users().put(user.clone());
        }
        Ok(user)
    }

    /// Call after changing a user's stored state: every node reads them again.
    pub async fn user_changed(&self, id: UserId) {
        self.revocations.announce_users_changed(&[id]).await;
    }

    /// Starts a session for a user who just proved who they are.
    pub async fn open(&self, user: &User, device: Device) -> anyhow::Result<TokenPair> {
        let now = self.now();
        let session = self
            .store
            .start_session(NewSession {
                id: SessionId::random(),
                user_id: user.id,
                user_agent: truncate(&device.user_agent, 512),
                ip: truncate(&device.ip, 64),
                now,
                expires_at: now + self.refresh_ttl,
            })
            .await?;
        // `last_login` moved; other nodes may show the old one until their entry expires.
        self.revocations.users().forget(&[user.id]);
        self.pair(user, session.id, session.counter, now)
    }

    /// Rotates a refresh token by the rules in the module docs.
    pub async fn refresh(&self, token: &str) -> Result<(TokenPair, User), RefreshError> {
        let claims = self.codec.decode(token).ok_or(RefreshError::Invalid)?;
        let now = self.now();
        // Two reads at most: a lost compare-and-set means another request rotated first, and
        // the second look finds this token one step behind, inside the grace window.
        for _ in 0..2 {
            let session = self
                .store
                .session(claims.session)
                .await?
                .ok_or(RefreshError::Invalid)?;
            if session.revoked_at.is_some() || session.expires_at <= now {
                return Err(RefreshError::Ended);
            }
            let counter = if claims.counter == session.counter {
                if !self
                    .store
                    .advance_session(session.id, session.counter, now, now + self.refresh_ttl)
                    .await?
                {
                    continue;
                }
                session.counter + 1
            } else if claims.counter + 1 == session.counter && self.in_grace(&session, now) {
                session.counter
            } else if claims.counter < session.counter {
                self.end(&session, now).await?;
                return Err(RefreshError::Reused);
            } else {
                return Err(RefreshError::Invalid);
            };
            let user = self
                .store
                .user_by_id(session.user_id)
                .await?
                .filter(|u| u.is_active);
            let user = user.ok_or(RefreshError::Inactive)?;
            let pair = self
                .pair(&user, session.id, counter, now)
                .map_err(RefreshError::Signing)?;
            return Ok((pair, user));
        }
        Err(RefreshError::Ended)
    }

    /// A new access token for the session `token` names, without rotating it: the same refresh
    /// token stays current (simplejwt's `ROTATE_REFRESH_TOKENS = False`, which some seeds'
    /// clients rely on). The token must be the session's current one, or one step behind inside
    /// the grace window; an older one is a replay and revokes the session, as in `refresh`.
    pub async fn reissue(&self, token: &str) -> Result<(TokenPair, User), RefreshError> {
        let claims = self.codec.decode(token).ok_or(RefreshError::Invalid)?;
        let now = self.now();
        let session = self
            .store
            .session(claims.session)
            .await?
            .ok_or(RefreshError::Invalid)?;
        if session.revoked_at.is_some() || session.expires_at <= now {
            return Err(RefreshError::Ended);
        }
        let current = claims.counter == session.counter
            || (claims.counter + 1 == session.counter && self.in_grace(&session, now));
        if !current {
            if claims.counter < session.counter {
                self.end(&session, now).await?;
                return Err(RefreshError::Reused);
            }
            return Err(RefreshError::Invalid);
        }
        let user = self
            .store
            .user_by_id(session.user_id)
            .await?
            .filter(|u| u.is_active)
            .ok_or(RefreshError::Inactive)?;
        let pair = self
            .pair(&user, session.id, claims.counter, now)
            .map_err(RefreshError::Signing)?;
        Ok((pair, user))
    }

    /// The session a refresh token names, if it is authentic (expired or not).
    pub fn session_of(&self, token: &str) -> Option<SessionId> {
        self.codec.decode(token).map(|c| c.session)
    }

    /// Issues a pair for a session whose counter the caller just set (password change).
    pub fn pair(
        &self,
        user: &User,
        session: SessionId,
        counter: i64,
        now: DateTime<Utc>,
    ) -> anyhow::Result<TokenPair> {
        Ok(TokenPair {
            access: self.access.issue(user, session, now)?,
            refresh: self.codec.encode(session, counter),
            session,
            expires_in: self.access.ttl().as_secs(),
        })
    }

    /// Makes revoked sessions' access tokens fail on every node.
    pub async fn announce_revoked(&self, sessions: &[SessionId]) {
        self.revocations.announce(sessions, self.now()).await;
    }

    fn in_grace(&self, session: &Session, now: DateTime<Utc>) -> bool {
        // A rotation stamped slightly ahead by another node's clock counts as within grace.
        let grace = chrono::TimeDelta::from_std(self.grace).unwrap_or(chrono::TimeDelta::MAX);
        session.rotated_at.is_some_and(|at| now - at <= grace)
    }

    async fn end(&self, session: &Session, now: DateTime<Utc>) -> Result<(), StoreError> {
        if self
            .store
            .revoke_session(session.id, session.user_id, now)
            .await?
        {
            tracing::warn!(session.id = %session.id, user.id = %session.user_id, "refresh token reuse: session revoked");
            self.revocations.announce(&[session.id], now).await;
        }
        Ok(())
    }
}

fn truncate(s: &str, max_chars: usize) -> String {
    s.chars().take(max_chars).collect()
}
