//! `seed`: fills a fresh database for the benchmark, straight through the store.
//!
//! One Argon2id hash (with the configured parameters) is computed once and reused as every
//! user's PHC string, so 2000 users take seconds, not 2000 × 20 ms of hashing. The refresh pool
//! is one fresh session per token (spread over the users), so every token the load generator
//! presents is a never-used one at its session's current counter. Writes `users.txt` (one
//! username a line) and `refresh.txt` (one refresh token a line) into `--out`.

use std::io::Write as _;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Parser;
use gatehouse_domain::{Email, NewSession, NewUser, PlainPassword, PublicId, SessionId, Username};

#[derive(Debug, Parser)]
struct Args {
    /// Users to create (`bench_u0` … ), all active and verified.
    #[arg(long, default_value_t = 2000)]
    users: usize,
    /// Sessions to start, one refresh token each.
    #[arg(long, default_value_t = 0)]
    refresh_pool: usize,
    /// Every user's password.
    #[arg(long, default_value = "correct horse battery staple")]
    password: String,
    /// Directory for `users.txt` and `refresh.txt`.
    #[arg(long)]
    out: PathBuf,
    /// Concurrent store calls.
    #[arg(long, default_value_t = 16)]
    workers: usize,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    anyhow::ensure!(
        args.users > 0 || args.refresh_pool == 0,
        "a refresh pool needs users"
    );
    let config = gatehouse_bench::config()?;
    let store = gatehouse_bench::open_store(&config).await?;
    let started = Instant::now();

    let password = PlainPassword::new(args.password.clone()).map_err(|e| anyhow::anyhow!("{e}"))?;
    let hash: Arc<str> = gatehouse::app::passwords(&config)?
        .hash(&password)
        .await?
        .into();
    let role = config.role_set()?.default_signup();
    let now = chrono::Utc::now();
    let users = {
        let store = store.clone();
        gatehouse_bench::par_map(args.users, args.workers, move |i| {
            let (store, hash, role) = (store.clone(), hash.clone(), role.clone());
            async move {
                let name = format!("bench_u{i}");
                let user = store
                    .create_user(NewUser {
                        public_id: PublicId::random(),
                        username: Username::parse(&name)?,
                        email: Email::parse(&format!("{name}@bench.example.com"))?,
                        password_hash: hash.to_string(),
                        first_name: String::new(),
                        last_name: String::new(),
                        phone_number: String::new(),
                        date_of_birth: None,
                        gender: String::new(),
                        role,
                        is_active: true,
                        is_email_verified: true,
                        is_staff: false,
                        is_superuser: false,
                        date_joined: now,
                    })
                    .await?;
                anyhow::Ok((name, user.id))
            }
        })
        .await?
    };
    write_lines(
        &args.out.join("users.txt"),
        users.iter().map(|(name, _)| name),
    )?;
    let users_took = started.elapsed();

    let codec = gatehouse_bench::refresh_codec(store.as_ref()).await?;
    let ids: Arc<Vec<_>> = Arc::new(users.iter().map(|(_, id)| *id).collect());
    let ttl = chrono::TimeDelta::from_std(config.refresh_ttl)?;
    let sessions = {
        let store = store.clone();
        gatehouse_bench::par_map(args.refresh_pool, args.workers, move |i| {
            let (store, ids) = (store.clone(), ids.clone());
            async move {
                let now = chrono::Utc::now();
                let session = store
                    .start_session(
                        NewSession {
                            id: SessionId::random(),
                            user_id: ids[i % ids.len()],
                            user_agent: "gatehouse-bench".to_owned(),
                            ip: "127.0.0.1".to_owned(),
                            now,
                            expires_at: now + ttl,
                        },
                        None,
                    )
                    .await?;
                anyhow::Ok((session.id, session.counter))
            }
        })
        .await?
    };
    let tokens = sessions
        .iter()
        .map(|(id, counter)| codec.encode(*id, *counter));
    write_lines(&args.out.join("refresh.txt"), tokens)?;
    store.close().await;
    println!(
        "seeded {} users in {} and {} sessions in {}",
        args.users,
        secs(users_took),
        args.refresh_pool,
        secs(started.elapsed().saturating_sub(users_took)),
    );
    Ok(())
}

fn write_lines<S: AsRef<str>>(
    path: &std::path::Path,
    lines: impl Iterator<Item = S>,
) -> anyhow::Result<()> {
    let mut file = std::io::BufWriter::new(std::fs::File::create(path)?);
    for line in lines {
        writeln!(file, "{}", line.as_ref())?;
    }
    file.flush()?;
    Ok(())
}

fn secs(d: Duration) -> String {
    format!("{:.1} s", d.as_secs_f64())
}
