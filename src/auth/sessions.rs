//! Session use cases: open one at login, rotate its refresh token, end it.
//!
//! Rotation rules, in order, for a presented refresh token at counter `c` of a live session at
//! counter `n`:
//! - `c == n`: move the session to `n + 1` (compare-and-set) and issue that token;
//! - `c == n - 1` within `refresh_grace` of the last rotation: the client lost the answer or
//!   raced another request, so answer again with the token for `n` (the same string);
//! - any other older token: it was stolen or replayed, so the whole session is revoked and the
//!   caller told `refresh_token_reused`.
//!
//! The first rule is the common case and costs one write, batched with other rotations on this
//! node (`rotation`); only a token that did not move its session is looked up to find out why.
//! The user comes from the per-node cache, like every authorized request's.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use gatehouse_domain::{Advance, NewSession, Session, SessionId, Store, StoreError, User, UserId};
use serde_json::json;

use super::rotation::Rotator;
use super::{AccessTokens, RefreshCodec, Revocations};
use crate::audit;
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
    rotator: Rotator,
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
            rotator: Rotator::start(store.clone()),
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

    /// Starts a session for a user who just proved who they are. `login` is the audit entry
    /// recording it: it gets the user as actor and target and the `method` and the session's id
    /// as its detail, and is written in the session's own transaction.
    pub async fn open(
        &self,
        user: &User,
        device: Device,
        login: audit::Entry<'_>,
        method: &str,
    ) -> anyhow::Result<TokenPair> {
        let now = self.now();
        let id = SessionId::random();
        let login = login
            .by_self(user.id)
            .detail(&json!({"method": method, "session": id.0}))
            .into_new();
        let session = self
            .store
            .start_session(
                NewSession {
                    id,
                    user_id: user.id,
                    user_agent: truncate(&device.user_agent, 512),
                    ip: truncate(&device.ip, 64),
                    now,
                    expires_at: now + self.refresh_ttl,
                },
                Some(&login),
            )
            .await?;
        // `last_login` moved; other nodes may show the old one until their entry expires.
        self.revocations.users().forget(&[user.id]);
        self.pair(user, session.id, session.counter, now)
    }

    /// Rotates a refresh token by the rules in the module docs.
    pub async fn refresh(&self, token: &str) -> Result<(TokenPair, User), RefreshError> {
        let claims = self.codec.decode(token).ok_or(RefreshError::Invalid)?;
        let now = self.now();
        // The common case first, in one write: the token is the session's current one.
        let step = Advance {
            id: claims.session,
            from: claims.counter,
            now,
            expires_at: now + self.refresh_ttl,
        };
        if let Some(user) = self.rotator.advance(step).await? {
            return self
                .answer(user, claims.session, claims.counter + 1, now)
                .await;
        }
        // It was not: the session says why.
        let session = self
            .store
            .session(claims.session)
            .await?
            .ok_or(RefreshError::Invalid)?;
        let counter = self.still_current(&session, claims.counter, now).await?;
        self.answer(session.user_id, session.id, counter, now).await
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
        if claims.counter != session.counter || !session.is_live(now) {
            self.still_current(&session, claims.counter, now).await?;
        }
        self.answer(session.user_id, session.id, claims.counter, now)
            .await
    }

    /// For a token at `counter` that did not just move `session`: the counter to answer with if
    /// the token is one step behind within the grace window, and otherwise why it is refused. An
    /// older token is a replay and revokes the session.
    async fn still_current(
        &self,
        session: &Session,
        counter: i64,
        now: DateTime<Utc>,
    ) -> Result<i64, RefreshError> {
        if !session.is_live(now) {
            Err(RefreshError::Ended)
        } else if counter + 1 == session.counter && self.in_grace(session, now) {
            Ok(session.counter)
        } else if counter < session.counter {
            self.end(session, now).await?;
            Err(RefreshError::Reused)
        } else {
            Err(RefreshError::Invalid)
        }
    }

    /// A pair for the session at `counter`, if its user is still active.
    async fn answer(
        &self,
        user: UserId,
        session: SessionId,
        counter: i64,
        now: DateTime<Utc>,
    ) -> Result<(TokenPair, User), RefreshError> {
        let user = self
            .current_user(user)
            .await?
            .filter(|u| u.is_active)
            .ok_or(RefreshError::Inactive)?;
        let pair = self
            .pair(&user, session, counter, now)
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
