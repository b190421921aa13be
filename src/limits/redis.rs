//! Counters in Redis, shared by every node (keys under `gatehouse:rl:`). Each operation is one
//! atomic command or script. When Redis does not answer in time the same operation runs on this
//! node's memory counters and a warning is logged: limits get per-node for a while, requests
//! never fail because of it. Redis keeps time by its own clock, not the injected one.

use std::time::Duration;

use redis::aio::ConnectionManager;

use super::memory::Memory;

/// Longest wait for Redis before falling back to memory.
const TIMEOUT: Duration = Duration::from_millis(500);

/// Increments, starts the window on the first hit (or on a key that lost its expiry), and
/// answers `{count, milliseconds left}`.
const INCR: &str = r"
local n = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {n, ttl}
";

#[derive(Clone)]
pub struct Redis {
    conn: ConnectionManager,
    fallback: Memory,
}

impl std::fmt::Debug for Redis {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Redis").finish_non_exhaustive()
    }
}

impl Redis {
    pub fn new(conn: ConnectionManager, fallback: Memory) -> Self {
        Self { conn, fallback }
    }

    pub async fn incr(&self, key: &str, window: Duration) -> (u64, Duration) {
        let mut cmd = redis::cmd("EVAL");
        cmd.arg(INCR).arg(1).arg(key).arg(millis(window));
        match self.run::<(u64, i64)>(cmd).await {
            Some((count, ttl)) => (count, Duration::from_millis(ttl.unsigned_abs())),
            None => self.fallback.incr(key, window),
        }
    }

    pub async fn set(&self, key: &str, ttl: Duration) {
        let mut cmd = redis::cmd("SET");
        cmd.arg(key).arg(1).arg("PX").arg(millis(ttl));
        if self.run::<()>(cmd).await.is_none() {
            self.fallback.set(key, ttl);
        }
    }

    pub async fn ttl(&self, key: &str) -> Option<Duration> {
        let mut cmd = redis::cmd("PTTL");
        cmd.arg(key);
        match self.run::<i64>(cmd).await {
            // -2: no such key; -1: no expiry, which these keys never lack for long.
            Some(ms) => (ms > 0).then(|| Duration::from_millis(ms.unsigned_abs())),
            None => self.fallback.ttl(key),
        }
    }

    pub async fn delete(&self, key: &str) {
        let mut cmd = redis::cmd("DEL");
        cmd.arg(key);
        if self.run::<()>(cmd).await.is_none() {
            self.fallback.delete(key);
        }
    }

    /// Runs `cmd`, or logs why it could not and answers `None`.
    async fn run<T: redis::FromRedisValue>(&self, cmd: redis::Cmd) -> Option<T> {
        let mut conn = self.conn.clone();
        match tokio::time::timeout(TIMEOUT, cmd.query_async::<T>(&mut conn)).await {
            Ok(Ok(value)) => Some(value),
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "rate-limit counters: Redis failed; using this node's memory");
                None
            }
            Err(_) => {
                tracing::warn!("rate-limit counters: Redis timed out; using this node's memory");
                None
            }
        }
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX).max(1)
}
