//! Helpers shared by the benchmark's binaries (`seed`, `refresh-check`, `argon2-floor`,
//! `hello`), which `bench/run.sh` drives.
//!
//! They talk to the store directly, with the same configuration the server reads (environment,
//! no `gatehouse.toml` in the run's working directory), so seeding thousands of users and
//! sessions takes seconds instead of thousands of HTTP round trips and Argon2id hashes.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use gatehouse::auth::RefreshCodec;
use gatehouse::config::Config;
use gatehouse_domain::Store;

/// The configuration the server will read: defaults < environment.
pub fn config() -> anyhow::Result<Config> {
    Ok(Config::load(None)?)
}

/// Opens (and migrates) the store the configuration names.
pub async fn open_store(config: &Config) -> anyhow::Result<Arc<dyn Store>> {
    gatehouse::store::open(&config.database_url(), config.db_max_connections).await
}

/// The codec the server signs refresh tokens with: the stored `refresh_token_mac` secret, or a
/// new one stored now (the server then finds and uses it).
pub async fn refresh_codec(store: &dyn Store) -> anyhow::Result<RefreshCodec> {
    let candidate = [
        uuid::Uuid::new_v4().into_bytes(),
        uuid::Uuid::new_v4().into_bytes(),
    ]
    .concat();
    let key = store.ensure_secret("refresh_token_mac", &candidate).await?;
    Ok(RefreshCodec::new(key))
}

/// Runs `work(0..count)` on `workers` concurrent tasks; results come back in index order.
pub async fn par_map<T, F, Fut>(count: usize, workers: usize, work: F) -> anyhow::Result<Vec<T>>
where
    T: Send + 'static,
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = anyhow::Result<T>> + Send,
{
    let next = Arc::new(AtomicUsize::new(0));
    let work = Arc::new(work);
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..workers.max(1) {
        let (next, work) = (next.clone(), work.clone());
        tasks.spawn(async move {
            let mut done = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= count {
                    return anyhow::Ok(done);
                }
                done.push((i, work(i).await?));
            }
        });
    }
    let mut all = Vec::with_capacity(count);
    while let Some(joined) = tasks.join_next().await {
        all.extend(joined??);
    }
    all.sort_unstable_by_key(|(i, _)| *i);
    Ok(all.into_iter().map(|(_, t)| t).collect())
}
