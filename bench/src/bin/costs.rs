//! `costs`: what each piece of the measured requests costs on its own, one call at a time with
//! no HTTP in between, against the run's database. It explains the scenario ratios: a request
//! can be no cheaper than the pieces it is made of (e.g. `verify` is one Ed25519 signature check,
//! `me` that plus one user read). Prints one `COST op=… us=… n=…` line per piece.

use std::future::Future;
use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, TimeDelta, Utc};
use clap::Parser;
use gatehouse::auth::user_cache::UserCache;
use gatehouse::auth::{AccessTokens, Revocations, Sessions, keys::Keys};
use gatehouse::clock::Clock;
use gatehouse_domain::{AuditEvent, NewAuditEntry, NewSession, SessionId, UserId};

#[derive(Debug, Parser)]
struct Args {
    /// Calls of each kind.
    #[arg(long, default_value_t = 2000)]
    n: usize,
    /// The seeded user every call is about.
    #[arg(long, default_value = "bench_u0")]
    user: String,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let config = gatehouse_bench::config()?;
    let store = gatehouse_bench::open_store(&config).await?;
    let clock = Clock::System;
    let keys = Keys::load(store.clone(), clock.now()).await?;
    let users = UserCache::new(config.user_cache_ttl, clock.clone());
    let revocations = Revocations::new(config.access_ttl, None, users);
    let access = AccessTokens::new(
        keys,
        revocations.clone(),
        config.issuer.clone(),
        config.access_ttl,
        config.jwt_leeway,
    );
    let codec = gatehouse_bench::refresh_codec(store.as_ref()).await?;
    let sessions = Sessions::new(
        store.clone(),
        access.clone(),
        codec.clone(),
        revocations,
        clock.clone(),
        config.refresh_ttl,
        config.refresh_grace,
    );
    let user = store
        .credentials_by_login(&args.user)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no user {}", args.user))?
        .user;
    let n = args.n;
    let token = access.issue(&user, SessionId::random(), clock.now())?;

    time("access token: sign (EdDSA)", n, |_| async {
        access.issue(&user, SessionId::random(), clock.now())?;
        Ok(())
    })
    .await?;
    // A token's first use checks its signature; later uses hit the verified-token cache.
    let fresh = (0..n)
        .map(|_| access.issue(&user, SessionId::random(), clock.now()))
        .collect::<anyhow::Result<Vec<_>>>()?;
    time("access token: verify, first use (EdDSA + claims)", n, |i| {
        let (access, token, now) = (&access, &fresh[i], clock.now());
        async move {
            access
                .verify(token, now)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            Ok(())
        }
    })
    .await?;
    time("access token: verify, repeat use (cached)", n, |_| async {
        access
            .verify(&token, clock.now())
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        Ok(())
    })
    .await?;
    time("store: user_by_id (me)", n, |_| async {
        store.user_by_id(user.id).await?;
        Ok(())
    })
    .await?;
    time("store: credentials_by_login (login)", n, |_| async {
        store.credentials_by_login(&args.user).await?;
        Ok(())
    })
    .await?;
    let ttl = TimeDelta::from_std(config.refresh_ttl)?;
    let started = std::sync::Mutex::new(Vec::with_capacity(n));
    time("store: start_session (login)", n, |_| async {
        let (new, login) = login(user.id, clock.now(), ttl);
        let session = store.start_session(new, Some(&login)).await?;
        lock(&started).push(codec.encode(session.id, session.counter));
        Ok(())
    })
    .await?;
    let tokens = Arc::new(std::mem::take(&mut *lock(&started)));
    time("refresh: rotate (one-step batch, cached user)", n, |i| {
        let (sessions, tokens) = (&sessions, tokens.clone());
        async move {
            sessions
                .refresh(&tokens[i])
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            Ok(())
        }
    })
    .await?;
    store.close().await;
    Ok(())
}

/// Runs `op(0..n)` one after the other and prints the mean time per call.
async fn time<F, Fut>(name: &str, n: usize, mut op: F) -> anyhow::Result<()>
where
    F: FnMut(usize) -> Fut,
    Fut: Future<Output = anyhow::Result<()>>,
{
    let started = Instant::now();
    for i in 0..n {
        op(i).await?;
    }
    #[expect(clippy::cast_precision_loss, reason = "call counts are small")]
    let us = started.elapsed().as_secs_f64() * 1e6 / n.max(1) as f64;
    println!("COST us={us:.1} n={n} op={name}");
    Ok(())
}

/// A session as a password login starts it, with the audit entry that records it.
fn login(user: UserId, now: DateTime<Utc>, ttl: TimeDelta) -> (NewSession, NewAuditEntry) {
    let new = NewSession {
        id: SessionId::random(),
        user_id: user,
        user_agent: "gatehouse-bench costs".to_owned(),
        ip: "127.0.0.1".to_owned(),
        now,
        expires_at: now + ttl,
    };
    let login = NewAuditEntry {
        event: AuditEvent::LoginSucceeded,
        actor: Some(user),
        target: Some(user),
        ip: new.ip.clone(),
        user_agent: new.user_agent.clone(),
        detail: format!(r#"{{"method":"password","session":"{}"}}"#, new.id.0),
        at: now,
    };
    (new, login)
}

fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}
