//! The running server: `AppState` (everything a handler may use, no globals), start-up in
//! dependency order, and graceful shutdown.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::ServiceExt as _;
use gatehouse_domain::{PasswordPolicy, RoleSet, Store};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tower::Layer as _;

use crate::audit::Audit;
use crate::auth::codes::Codes;
use crate::auth::mfa::Mfa;
use crate::auth::secrets::Secrets;
use crate::auth::totp::Totps;
use crate::auth::user_cache::UserCache;
use crate::auth::{AccessTokens, Passwords, RefreshCodec, Revocations, Sessions, keys::Keys};
use crate::clock::Clock;
use crate::config::{Config, MailBackend, Switch};
use crate::jobs::Worker;
use crate::limits::Limiter;
use crate::mail::Mailer;

/// Shared by every handler: one pointer, so the per-request clone axum makes is one atomic
/// increment rather than one per service.
#[derive(Debug, Clone)]
pub struct AppState(Arc<Services>);

impl std::ops::Deref for AppState {
    type Target = Services;

    fn deref(&self) -> &Services {
        &self.0
    }
}

/// Everything a handler may use; there are no globals.
#[derive(Debug)]
pub struct Services {
    pub config: Arc<Config>,
    pub store: Arc<dyn Store>,
    pub passwords: Passwords,
    pub sessions: Sessions,
    pub keys: Keys,
    pub secrets: Secrets,
    /// The TOTP second factor: enrolment, login challenges, recovery codes.
    pub mfa: Mfa,
    pub mailer: Mailer,
    /// Wakes this node's worker when a request enqueued a job.
    pub jobs_wake: Arc<tokio::sync::Notify>,
    pub clock: Clock,
    pub policy: Arc<PasswordPolicy>,
    pub roles: Arc<RoleSet>,
    pub audit: Audit,
    /// Rate limits; `None` when `rate_limits = "off"`.
    pub limits: Option<Limiter>,
}

/// The argon2 parameters the configuration names.
pub fn argon2_params(config: &Config) -> anyhow::Result<argon2::Params> {
    argon2::Params::new(
        config.argon2_memory_kib,
        config.argon2_iterations,
        config.argon2_parallelism,
        None,
    )
    .map_err(|e| anyhow::anyhow!("argon2 parameters: {e}"))
}

/// A password hasher configured as `config` says (also used by `createsuperuser`).
pub fn passwords(config: &Config) -> anyhow::Result<Passwords> {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    Passwords::new(
        argon2_params(config)?,
        config.hash_concurrency.unwrap_or(cores),
        config.hash_queue,
    )
}

impl AppState {
    /// Builds the state on an open, migrated store; starts the revocation set's background sync.
    pub async fn build(
        config: Config,
        store: Arc<dyn Store>,
        clock: Clock,
        stop: CancellationToken,
    ) -> anyhow::Result<Self> {
        let now = clock.now();
        let keys = Keys::load(store.clone(), now).await?;
        let refresh_key = store
            .ensure_secret("refresh_token_mac", &rand::random::<[u8; 32]>())
            .await?;
        let code_key = store
            .ensure_secret("one_time_secret_mac", &rand::random::<[u8; 32]>())
            .await?;
        let totp_key = store
            .ensure_secret("totp_secret_seal", &rand::random::<[u8; 32]>())
            .await?;
        let redis = match &config.redis_url {
            Some(url) => Some(connect_redis(url).await?),
            None => None,
        };
        let limits = (config.rate_limits == Switch::On)
            .then(|| Limiter::new(&config, clock.clone(), redis.clone()));
        let users = UserCache::new(config.user_cache_ttl, clock.clone());
        let revocations = Revocations::new(config.access_ttl + config.jwt_leeway, redis, users);
        revocations
            .start(
                store.clone(),
                clock.clone(),
                config.revocation_sync,
                config.redis_url.as_deref(),
                stop,
            )
            .await?;
        let access = AccessTokens::new(
            keys.clone(),
            revocations.clone(),
            config.issuer.clone(),
            config.access_ttl,
            config.jwt_leeway,
        );
        let sessions = Sessions::new(
            store.clone(),
            access,
            RefreshCodec::new(refresh_key),
            revocations,
            clock.clone(),
            config.refresh_ttl,
            config.refresh_grace,
        );
        let codes = Codes::new(code_key);
        let mfa = Mfa::new(
            store.clone(),
            codes.clone(),
            Totps::new(&totp_key, &config.site_name)?,
            clock.clone(),
        );
        let secrets = Secrets::new(store.clone(), codes, clock.clone(), &config);
        Ok(Self(Arc::new(Services {
            audit: Audit::new(store.clone(), clock.clone()),
            limits,
            secrets,
            mfa,
            mailer: mailer(&config)?,
            jobs_wake: Arc::default(),
            clock,
            passwords: passwords(&config)?,
            policy: Arc::new(PasswordPolicy::new(config.password_min_length)),
            roles: Arc::new(config.role_set()?),
            config: Arc::new(config),
            store,
            sessions,
            keys,
        })))
    }
}

/// The mailer the configuration names.
pub fn mailer(config: &Config) -> anyhow::Result<Mailer> {
    Ok(match config.mail {
        MailBackend::File => Mailer::File(config.data_dir.join("mail")),
        MailBackend::Smtp => Mailer::smtp(&config.smtp_url)?,
        MailBackend::Memory => Mailer::memory(),
    })
}

impl AppState {
    /// A job worker sharing this node's store, mailer and clock.
    pub fn worker(&self) -> Worker {
        Worker::new(
            self.store.clone(),
            self.mailer.clone(),
            self.clock.clone(),
            self.jobs_wake.clone(),
            &self.config,
        )
    }
}

async fn connect_redis(url: &str) -> anyhow::Result<redis::aio::ConnectionManager> {
    let client = redis::Client::open(url).map_err(|e| anyhow::anyhow!("REDIS_URL: {e}"))?;
    tokio::time::timeout(
        std::time::Duration::from_secs(5),
        client.get_connection_manager(),
    )
    .await
    .map_err(|_| anyhow::anyhow!("REDIS_URL: no answer from Redis within 5 s"))?
    .map_err(|e| anyhow::anyhow!("REDIS_URL: cannot connect to Redis: {e}"))
}

/// A server that is accepting connections.
#[derive(Debug)]
pub struct Running {
    addr: SocketAddr,
    state: AppState,
    stop: CancellationToken,
    task: JoinHandle<std::io::Result<()>>,
    worker: Option<JoinHandle<()>>,
}

impl Running {
    /// The bound address (the real port when `:0` was asked for).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Stops accepting, lets in-flight requests finish (up to `shutdown_grace`), closes the pool.
    pub async fn shutdown(self) -> anyhow::Result<()> {
        self.stop.cancel();
        let grace = self.state.config.shutdown_grace;
        let mut task = self.task;
        match tokio::time::timeout(grace, &mut task).await {
            Ok(joined) => joined??,
            Err(_) => {
                tracing::warn!(
                    ?grace,
                    "in-flight requests did not finish in time; dropping them"
                );
                task.abort();
            }
        }
        if let Some(worker) = self.worker {
            // The worker finishes the job in hand, then stops.
            if tokio::time::timeout(grace, worker).await.is_err() {
                tracing::warn!(
                    "the job worker did not stop in time; its job runs again after the lease"
                );
            }
        }
        self.state.store.close().await;
        tracing::info!("stopped");
        Ok(())
    }

    /// Runs every job due now on this node (tests use it instead of waiting for the worker).
    pub async fn drain_jobs(&self) -> anyhow::Result<usize> {
        self.state.worker().drain().await
    }
}

/// Opens the store, builds the state, binds and serves until `shutdown`.
pub async fn start(mut config: Config, clock: Clock) -> anyhow::Result<Running> {
    let listener = TcpListener::bind(config.addr)
        .await
        .map_err(|e| anyhow::anyhow!("GATEHOUSE_ADDR: cannot listen on {}: {e}", config.addr))?;
    let addr = listener.local_addr()?;
    // With port 0 the real port is known only now, and links in emails must carry it.
    config.addr = addr;
    let store = crate::store::open(&config.database_url(), config.db_max_connections).await?;
    let stop = CancellationToken::new();
    let state = AppState::build(config, store, clock, stop.clone()).await?;
    let app = tower::util::MapRequestLayer::new(crate::http::normalize_path)
        .layer(crate::http::router(state.clone()));
    let service = app.into_make_service_with_connect_info::<SocketAddr>();
    let shutdown = stop.clone();
    let task = tokio::spawn(async move {
        axum::serve(listener, service)
            .with_graceful_shutdown(shutdown.cancelled_owned())
            .await
    });
    let database = state
        .config
        .database_url()
        .split(':')
        .next()
        .unwrap_or_default()
        .to_owned();
    tracing::info!(%addr, %database, "listening on http://{addr}");
    let worker = state
        .config
        .worker
        .then(|| tokio::spawn(state.worker().run(stop.clone())));
    Ok(Running {
        addr,
        state,
        stop,
        task,
        worker,
    })
}

/// `gatehouse worker`: the job worker alone, until `stop`.
pub async fn run_worker(
    config: Config,
    clock: Clock,
    stop: CancellationToken,
) -> anyhow::Result<()> {
    let store = crate::store::open(&config.database_url(), config.db_max_connections).await?;
    let state = AppState::build(config, store, clock, stop.clone()).await?;
    state.worker().run(stop).await;
    state.store.close().await;
    Ok(())
}
