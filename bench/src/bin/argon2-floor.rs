//! `argon2-floor`: how many Argon2id hashes per second this machine can compute with the
//! configured parameters, one thread per core — the ceiling for `login` and `register`, which
//! each cost exactly one hash. Each thread hashes into memory it allocated once (as the server's
//! hashing threads do), so the floor is the hash function alone, not the allocator. Prints one
//! `ARGON2_FLOOR …` line for `bench/run.sh`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use argon2::{Algorithm, Argon2, Block, Version};
use clap::Parser;

/// The server's allocator, so the baseline measures what gatehouse could reach.
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[derive(Debug, Parser)]
struct Args {
    /// How long to hash for.
    #[arg(long, default_value_t = 10.0)]
    seconds: f64,
    /// Hashing threads; default one per core (the server's `GATEHOUSE_HASH_CONCURRENCY` default).
    #[arg(long)]
    threads: Option<usize>,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let config = gatehouse_bench::config()?;
    let params = gatehouse::app::argon2_params(&config)?;
    let threads = args
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, std::num::NonZero::get));
    let hashes = AtomicU64::new(0);
    let started = Instant::now();
    let deadline = started + Duration::from_secs_f64(args.seconds);
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                let (params, hashes) = (params.clone(), &hashes);
                scope.spawn(move || -> anyhow::Result<()> {
                    let mut memory = vec![Block::default(); params.block_count()];
                    let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
                    let mut out = [0u8; 32];
                    while Instant::now() < deadline {
                        argon2
                            .hash_password_into_with_memory(
                                b"correct horse battery staple",
                                b"gatehouse-bench-salt",
                                &mut out,
                                &mut memory,
                            )
                            .map_err(|e| anyhow::anyhow!("argon2: {e}"))?;
                        hashes.fetch_add(1, Ordering::Relaxed);
                    }
                    Ok(())
                })
            })
            .collect();
        workers.into_iter().try_for_each(|w| {
            w.join()
                .map_err(|_| anyhow::anyhow!("a hashing thread panicked"))?
        })
    })?;
    let elapsed = started.elapsed().as_secs_f64();
    let hashes = hashes.into_inner();
    #[expect(
        clippy::cast_precision_loss,
        reason = "a count of hashes, far below 2^52"
    )]
    let rate = hashes as f64 / elapsed;
    println!(
        "ARGON2_FLOOR threads={threads} hashes={hashes} seconds={elapsed:.3} rate={rate:.2} m_kib={} t={} p={}",
        config.argon2_memory_kib, config.argon2_iterations, config.argon2_parallelism
    );
    Ok(())
}
