//! `refresh-check`: after the `refresh` scenario, reads back every pooled session to prove that
//! no refresh token was accepted twice.
//!
//! Each pooled token names a fresh session at counter 0, so an honest run leaves each session
//! either untouched (token never sent) or at counter 1, and none revoked. A token presented twice
//! shows up either as a revoked session (reuse detected) or — inside the grace window, where the
//! server answers a replay again without rotating — as more 2xx answers than sessions advanced,
//! which `bench/run.sh` compares with the load generator's count.

use std::path::PathBuf;
use std::sync::Arc;

use clap::Parser;

#[derive(Debug, Parser)]
struct Args {
    /// The pool `seed` wrote (`refresh.txt`).
    #[arg(long)]
    pool: PathBuf,
    /// Concurrent store reads.
    #[arg(long, default_value_t = 16)]
    workers: usize,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let config = gatehouse_bench::config()?;
    let store = gatehouse_bench::open_store(&config).await?;
    let codec = gatehouse_bench::refresh_codec(store.as_ref()).await?;
    let text = std::fs::read_to_string(&args.pool)?;
    let sessions = text
        .lines()
        .map(|token| {
            codec
                .decode(token)
                .map(|claims| claims.session)
                .ok_or_else(|| anyhow::anyhow!("not a refresh token of this database: {token}"))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let sessions = Arc::new(sessions);
    // Each pooled session now: its counter and whether it was revoked; `None` when it is gone.
    let seen: Vec<Option<(i64, bool)>> = {
        let (store, sessions) = (store.clone(), sessions.clone());
        gatehouse_bench::par_map(sessions.len(), args.workers, move |i| {
            let (store, sessions) = (store.clone(), sessions.clone());
            async move {
                let session = store.session(sessions[i]).await?;
                anyhow::Ok(session.map(|s| (s.counter, s.revoked_at.is_some())))
            }
        })
        .await?
    };
    store.close().await;
    let count = |f: fn(i64, bool) -> bool| {
        seen.iter()
            .filter(|s| s.is_some_and(|(counter, revoked)| f(counter, revoked)))
            .count()
    };
    println!(
        "REFRESH_CHECK pool={} advanced={} beyond={} revoked={} missing={}",
        seen.len(),
        count(|counter, _| counter >= 1),
        count(|counter, _| counter > 1),
        count(|_, revoked| revoked),
        seen.iter().filter(|s| s.is_none()).count(),
    );
    Ok(())
}
