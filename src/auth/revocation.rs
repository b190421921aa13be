//! Revoked sessions, known to every node without a database read per request.
//!
//! Each node holds the ids of sessions revoked within the last access-token lifetime (older
//! ones need no entry: every access token they issued has expired). The set is loaded at start,
//! updated by this node's own revocations, fanned out to other nodes over Redis pub/sub when
//! `REDIS_URL` is set, and re-read from the database every `revocation_sync` so a missed message
//! (or no Redis at all) leaves a node trusting a revoked session for at most that long.
//!
//! The same subscription carries "this user changed" announcements for the nodes' `UserCache`s.

use std::collections::HashMap;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures_util::StreamExt as _;
use gatehouse_domain::{RevokedSession, SessionId, Store, UserId};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use super::user_cache::UserCache;
use crate::clock::Clock;

const CHANNEL: &str = "gatehouse:revoked-sessions";
/// Users whose stored state changed: other nodes drop them from their `UserCache`.
const USERS_CHANNEL: &str = "gatehouse:changed-users";
/// How long a publish may take before we give up on it and rely on the periodic re-read.
const PUBLISH_TIMEOUT: Duration = Duration::from_secs(1);

/// The node's set of recently revoked sessions, and the way to tell other nodes.
#[derive(Clone)]
pub struct Revocations {
    revoked: Arc<RwLock<HashMap<SessionId, DateTime<Utc>>>>,
    /// Entries older than this are dropped: every token of that session has expired.
    hold: Duration,
    redis: Option<redis::aio::ConnectionManager>,
    users: UserCache,
}

impl std::fmt::Debug for Revocations {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Revocations")
            .field("entries", &self.read().len())
            .field("redis", &self.redis.is_some())
            .finish_non_exhaustive()
    }
}

impl Revocations {
    pub fn new(
        hold: Duration,
        redis: Option<redis::aio::ConnectionManager>,
        users: UserCache,
    ) -> Self {
        Self {
            revoked: Arc::default(),
            hold,
            redis,
            users,
        }
    }

    /// This node's cache of recently read users.
    pub fn users(&self) -> &UserCache {
        &self.users
    }

    /// Drops changed users from this node's cache and tells the other nodes to do the same.
    pub async fn announce_users_changed(&self, ids: &[UserId]) {
        self.users.forget(ids);
        let payload: Vec<String> = ids.iter().map(|id| id.0.to_string()).collect();
        self.publish(USERS_CHANNEL, payload.join(" ")).await;
    }

    /// A hash lookup: is this session revoked?
    pub fn is_revoked(&self, session: SessionId) -> bool {
        self.read().contains_key(&session)
    }

    /// Records revocations that happened on this node and tells the others.
    pub async fn announce(&self, sessions: &[SessionId], at: DateTime<Utc>) {
        if sessions.is_empty() {
            return;
        }
        self.remember(
            sessions
                .iter()
                .map(|&id| RevokedSession { id, revoked_at: at }),
        );
        self.publish(CHANNEL, encode(sessions, at)).await;
    }

    /// Publishes on `channel` when there is Redis; a failure is logged, and other nodes catch up
    /// from the database (revocations) or their cache's time to live (users).
    async fn publish(&self, channel: &str, payload: String) {
        let Some(redis) = &self.redis else { return };
        if payload.is_empty() {
            return;
        }
        let mut conn = redis.clone();
        let mut command = redis::cmd("PUBLISH");
        command.arg(channel).arg(payload);
        match tokio::time::timeout(PUBLISH_TIMEOUT, command.query_async::<i64>(&mut conn)).await {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => {
                tracing::warn!(channel, error = %e, "publishing failed; other nodes catch up");
            }
            Err(_) => tracing::warn!(channel, "publishing timed out; other nodes catch up"),
        }
    }

    /// Adds entries learned from the database or another node.
    pub fn remember(&self, sessions: impl IntoIterator<Item = RevokedSession>) {
        let mut revoked = self.revoked.write().unwrap_or_else(PoisonError::into_inner);
        for s in sessions {
            revoked.insert(s.id, s.revoked_at);
        }
    }

    /// Drops entries whose sessions can no longer have a live access token.
    fn prune(&self, now: DateTime<Utc>) {
        let horizon = now - self.hold;
        self.revoked
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .retain(|_, at| *at >= horizon);
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, HashMap<SessionId, DateTime<Utc>>> {
        self.revoked.read().unwrap_or_else(PoisonError::into_inner)
    }

    /// Loads what the database knows, then keeps the set current until `stop`: the periodic
    /// re-read, and (with Redis) the subscription to other nodes' announcements.
    pub async fn start(
        &self,
        store: Arc<dyn Store>,
        clock: Clock,
        sync_every: Duration,
        redis_url: Option<&str>,
        stop: CancellationToken,
    ) -> anyhow::Result<()> {
        let since = clock.now() - self.hold;
        self.remember(store.revoked_since(since).await?);
        tokio::spawn(
            self.clone()
                .catch_up(store, clock, sync_every, stop.clone()),
        );
        if let Some(url) = redis_url {
            // Subscribe before serving, so no announcement made after start-up is missed.
            let client = redis::Client::open(url)?;
            let first = Self::connect(&client).await?;
            tokio::spawn(self.clone().subscribe(client, first, stop));
        }
        Ok(())
    }

    async fn connect(client: &redis::Client) -> anyhow::Result<redis::aio::PubSub> {
        let mut pubsub = client.get_async_pubsub().await?;
        pubsub.subscribe(&[CHANNEL, USERS_CHANNEL]).await?;
        Ok(pubsub)
    }

    async fn catch_up(
        self,
        store: Arc<dyn Store>,
        clock: Clock,
        every: Duration,
        stop: CancellationToken,
    ) {
        // Overlap the windows generously: revoked_at comes from other nodes' clocks.
        let overlap = (every * 3).max(Duration::from_secs(10));
        let mut ticker = tokio::time::interval(every);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                () = stop.cancelled() => return,
                _ = ticker.tick() => {}
            }
            let now = clock.now();
            match store.revoked_since(now - overlap).await {
                Ok(found) => self.remember(found),
                Err(e) => tracing::warn!(error = %e, "re-reading revoked sessions failed"),
            }
            self.prune(now);
        }
    }

    async fn subscribe(
        self,
        client: redis::Client,
        first: redis::aio::PubSub,
        stop: CancellationToken,
    ) {
        let mut next = Some(first);
        loop {
            let outcome = tokio::select! {
                () = stop.cancelled() => return,
                outcome = self.listen(&client, next.take()) => outcome,
            };
            if let Err(e) = outcome {
                tracing::warn!(error = %e, "revocation subscription lost; reconnecting");
            }
            tokio::select! {
                () = stop.cancelled() => return,
                () = tokio::time::sleep(Duration::from_secs(1)) => {}
            }
        }
    }

    /// Reads announcements until the connection fails. A reconnect may have missed some: the
    /// periodic database read covers that gap.
    async fn listen(
        &self,
        client: &redis::Client,
        pubsub: Option<redis::aio::PubSub>,
    ) -> anyhow::Result<()> {
        let mut pubsub = match pubsub {
            Some(pubsub) => pubsub,
            None => Self::connect(client).await?,
        };
        let mut messages = pubsub.on_message();
        while let Some(message) = messages.next().await {
            let payload: String = message.get_payload()?;
            if message.get_channel_name() == USERS_CHANNEL {
                let ids: Vec<UserId> = payload
                    .split(' ')
                    .filter_map(|id| id.parse().ok().map(UserId))
                    .collect();
                self.users.forget(&ids);
                continue;
            }
            match decode(&payload) {
                Some(found) => self.remember(found),
                None => tracing::warn!("ignoring a malformed revocation message"),
            }
        }
        anyhow::bail!("the subscription stream ended")
    }
}

/// `<revoked_at micros> <sid> <sid> …`
fn encode(sessions: &[SessionId], at: DateTime<Utc>) -> String {
    let mut out = at.timestamp_micros().to_string();
    for s in sessions {
        out.push(' ');
        out.push_str(&s.0.simple().to_string());
    }
    out
}

fn decode(payload: &str) -> Option<Vec<RevokedSession>> {
    let mut parts = payload.split(' ');
    let revoked_at = DateTime::from_timestamp_micros(parts.next()?.parse().ok()?)?;
    parts
        .map(|sid| {
            Uuid::try_parse(sid).ok().map(|id| RevokedSession {
                id: SessionId(id),
                revoked_at,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn announcements_round_trip() {
        let at = DateTime::from_timestamp_micros(1_700_000_000_123_456).expect("valid time");
        let ids = [SessionId::random(), SessionId::random()];
        let decoded = decode(&encode(&ids, at)).expect("decodes");
        assert_eq!(decoded.iter().map(|r| r.id).collect::<Vec<_>>(), ids);
        assert!(decoded.iter().all(|r| r.revoked_at == at));
        assert_eq!(decode("garbage"), None);
    }
}
