//! Measures what one password hash costs with the configured Argon2id parameters (defaults:
//! OWASP m=19456 KiB, t=2, p=1): `cargo run --release --example hash_cost [N]`.

use std::time::Instant;

use gatehouse::config::Config;
use gatehouse_domain::PlainPassword;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let n: u32 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(20);
    let config = Config::load(None)?;
    let passwords = gatehouse::app::passwords(&config)?;
    let password = PlainPassword::new("correct horse battery staple".to_owned())
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let hash = passwords.hash(&password).await?;
    let started = Instant::now();
    for _ in 0..n {
        passwords.hash(&password).await?;
    }
    let per_hash = started.elapsed() / n;
    let started = Instant::now();
    for _ in 0..n {
        passwords.verify(&password, Some(&hash)).await?;
    }
    let per_verify = started.elapsed() / n;
    println!(
        "argon2id m={} KiB t={} p={}: hash {:.1} ms, verify {:.1} ms (mean of {n}, one at a time)",
        config.argon2_memory_kib,
        config.argon2_iterations,
        config.argon2_parallelism,
        per_hash.as_secs_f64() * 1e3,
        per_verify.as_secs_f64() * 1e3,
    );
    Ok(())
}
