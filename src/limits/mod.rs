//! Rate limits and brute-force defence, decided per request from the request alone (class from
//! the route table, client IP, identifier from the body) and the answer's status, so no handler
//! knows about them. The middleware is `http::limits`.
//!
//! - Quotas count every request and refuse past a fixed window's limit until it ends: per IP on
//!   every limited endpoint, registrations per IP, emails per address and per IP.
//! - Failed credential checks (400/401/403) count per identifier and per IP+identifier; at the
//!   limit a block starts, 1 s, doubling with each further failure, capped.
//! - No stranger lockout: the per-identifier block does not apply to an IP that has succeeded as
//!   that identifier within a refresh-token lifetime; the per-IP+identifier one applies to all.
//!
//! Counters live in memory, or in Redis when `REDIS_URL` is set (falling back to memory when it
//! does not answer). Keys carry a hash of the identifier, never the identifier itself.

mod memory;
mod redis;
pub mod rules;

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::http::StatusCode;
use sha2::{Digest as _, Sha256};

use crate::clock::Clock;
use crate::config::Config;
use memory::Memory;
use rules::Class;

const PREFIX: &str = "gatehouse:rl";
const MINUTE: Duration = Duration::from_mins(1);
const HOUR: Duration = Duration::from_hours(1);
/// The first block; each further failure doubles it.
const BACKOFF_BASE: Duration = Duration::from_secs(1);

/// The limits in effect, from the configuration.
#[derive(Debug, Clone)]
struct Policy {
    failures: u64,
    failure_window: Duration,
    backoff_max: Duration,
    requests_per_ip: u64,
    emails: u64,
    emails_per_ip: u64,
    registrations_per_ip: u64,
    /// How long a successful IP stays known for its identifier.
    known_for: Duration,
}

/// Where the counters are.
#[derive(Debug, Clone)]
enum Counters {
    Memory(Memory),
    Redis(redis::Redis),
}

impl Counters {
    async fn incr(&self, key: &str, window: Duration) -> (u64, Duration) {
        match self {
            Self::Memory(m) => m.incr(key, window),
            Self::Redis(r) => r.incr(key, window).await,
        }
    }

    async fn set(&self, key: &str, ttl: Duration) {
        match self {
            Self::Memory(m) => m.set(key, ttl),
            Self::Redis(r) => r.set(key, ttl).await,
        }
    }

    async fn ttl(&self, key: &str) -> Option<Duration> {
        match self {
            Self::Memory(m) => m.ttl(key),
            Self::Redis(r) => r.ttl(key).await,
        }
    }

    async fn delete(&self, key: &str) {
        match self {
            Self::Memory(m) => m.delete(key),
            Self::Redis(r) => r.delete(key).await,
        }
    }
}

/// One limited request: what it is, where it comes from, whom it names.
#[derive(Debug, Clone)]
pub struct Subject {
    pub class: Class,
    pub ip: IpAddr,
    /// The lower-cased username, email or login from the body, if any.
    pub identifier: Option<String>,
}

impl Subject {
    /// The identifier's hash, or `-` for requests that name nobody (their failures then count
    /// per IP alone).
    fn who(&self) -> String {
        self.identifier
            .as_deref()
            .map_or_else(|| "-".to_owned(), hash)
    }
}

/// Decides whether a request may proceed and counts what it did. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Limiter {
    policy: Arc<Policy>,
    counters: Counters,
}

impl Limiter {
    /// Counters in Redis when a connection is given, else in memory on `clock`.
    pub fn new(
        config: &Config,
        clock: Clock,
        redis: Option<::redis::aio::ConnectionManager>,
    ) -> Self {
        let memory = Memory::new(clock);
        let counters = match redis {
            Some(conn) => Counters::Redis(redis::Redis::new(conn, memory)),
            None => Counters::Memory(memory),
        };
        let count = |n: u32| u64::from(n);
        Self {
            policy: Arc::new(Policy {
                failures: count(config.rate_limit_failures),
                failure_window: config.rate_limit_failure_window,
                backoff_max: config.rate_limit_backoff_max,
                requests_per_ip: count(config.rate_limit_requests_per_ip),
                emails: count(config.rate_limit_emails),
                emails_per_ip: count(config.rate_limit_emails_per_ip),
                registrations_per_ip: count(config.rate_limit_registrations_per_ip),
                known_for: config.refresh_ttl,
            }),
            counters,
        }
    }

    /// Counts the request against its quotas and checks its blocks: `Err(seconds to wait)` when
    /// it must be refused.
    pub async fn admit(&self, s: &Subject) -> Result<(), u64> {
        let p = &self.policy;
        let ip = s.ip;
        let mut wait = self
            .quota(format!("{PREFIX}:ip:{ip}"), p.requests_per_ip, MINUTE)
            .await;
        if s.class == Class::Registration {
            let key = format!("{PREFIX}:reg:{ip}");
            wait = wait.max(self.quota(key, p.registrations_per_ip, HOUR).await);
        }
        if s.class.sends_email() {
            let key = format!("{PREFIX}:mail-ip:{ip}");
            wait = wait.max(self.quota(key, p.emails_per_ip, HOUR).await);
            if s.identifier.is_some() {
                let key = format!("{PREFIX}:mail:{}", s.who());
                wait = wait.max(self.quota(key, p.emails, HOUR).await);
            }
        }
        if s.class.checks_credentials() {
            let who = s.who();
            if let Some(left) = self
                .counters
                .ttl(&format!("{PREFIX}:block:{who}:{ip}"))
                .await
            {
                wait = wait.max(left);
            }
            if s.identifier.is_some()
                && !self.is_known(&who, ip).await
                && let Some(left) = self.counters.ttl(&format!("{PREFIX}:block:{who}")).await
            {
                wait = wait.max(left);
            }
        }
        if wait.is_zero() {
            return Ok(());
        }
        tracing::info!(class = s.class.name(), "rate limit: throttled");
        Err(seconds(wait))
    }

    /// Counts the answer of an admitted credential check: a failure feeds the failure counters
    /// (and may start a block); a success makes the IP known for the identifier.
    pub async fn record(&self, s: &Subject, status: StatusCode) {
        if !s.class.checks_credentials() {
            return;
        }
        let who = s.who();
        let ip = s.ip;
        if matches!(
            status,
            StatusCode::BAD_REQUEST | StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN
        ) {
            self.fail(&format!("{who}:{ip}")).await;
            if s.identifier.is_some() {
                self.fail(&who).await;
            }
        } else if status.is_success() && s.identifier.is_some() && s.class == Class::Credential {
            // Not for an email change: its identifier is the new address, which the caller has
            // not proven to own.
            let known = format!("{PREFIX}:known:{who}:{ip}");
            self.counters.set(&known, self.policy.known_for).await;
            self.counters
                .delete(&format!("{PREFIX}:fail:{who}:{ip}"))
                .await;
        }
    }

    /// Counts one request against a quota: how long until it may be used again, or zero.
    async fn quota(&self, key: String, limit: u64, window: Duration) -> Duration {
        let (count, left) = self.counters.incr(&key, window).await;
        if count > limit { left } else { Duration::ZERO }
    }

    async fn fail(&self, scope: &str) {
        let p = &self.policy;
        let (count, _) = self
            .counters
            .incr(&format!("{PREFIX}:fail:{scope}"), p.failure_window)
            .await;
        if count >= p.failures {
            let doublings = u32::try_from(count - p.failures)
                .unwrap_or(u32::MAX)
                .min(30);
            let block = (BACKOFF_BASE * (1_u32 << doublings)).min(p.backoff_max);
            tracing::info!(blocked_for = ?block, "rate limit: failed credential checks");
            self.counters
                .set(&format!("{PREFIX}:block:{scope}"), block)
                .await;
        }
    }

    async fn is_known(&self, who: &str, ip: IpAddr) -> bool {
        self.counters
            .ttl(&format!("{PREFIX}:known:{who}:{ip}"))
            .await
            .is_some()
    }
}

/// Whole seconds to wait, rounded up, at least 1 (the `Retry-After` value).
fn seconds(wait: Duration) -> u64 {
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    secs.max(1)
}

/// A short, stable stand-in for an identifier in keys (and so in Redis).
fn hash(identifier: &str) -> String {
    use std::fmt::Write as _;
    Sha256::digest(identifier.as_bytes())[..12].iter().fold(
        String::with_capacity(24),
        |mut hex, b| {
            let _ = write!(hex, "{b:02x}");
            hex
        },
    )
}
