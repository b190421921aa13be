//! The command line: `serve` (the default), `migrate`, `createsuperuser`, `import-django`,
//! `check`, `openapi`.

use std::io::{BufRead as _, IsTerminal as _, Write as _};
use std::path::PathBuf;

use clap::{Parser, Subcommand};
use gatehouse_domain::{Email, NewUser, PasswordPolicy, PublicId, Username};

use crate::clock::Clock;
use crate::config::Config;

#[derive(Debug, Parser)]
#[command(
    name = "gatehouse",
    version,
    about = "Account and authentication API server"
)]
pub struct Cli {
    /// Configuration file (default: ./gatehouse.toml when it exists).
    #[arg(long, global = true, env = "GATEHOUSE_CONFIG")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP server (the default), with the job worker unless `--no-worker`.
    Serve {
        /// Leave the job worker out (run `gatehouse worker` elsewhere).
        #[arg(long)]
        no_worker: bool,
    },
    /// Run the job worker alone (sends email; any number may share one database).
    Worker,
    /// Create or upgrade the database schema, then exit.
    Migrate,
    /// Create an active, verified superuser.
    Createsuperuser {
        #[arg(long)]
        username: Option<String>,
        #[arg(long)]
        email: Option<String>,
        /// Read the password from the first line of standard input (for scripts).
        #[arg(long)]
        password_stdin: bool,
    },
    /// Import users (with their password hashes) from a Django database; safe to re-run.
    ImportDjango(crate::import::ImportArgs),
    /// Validate the configuration and reach the database (and Redis, if configured).
    Check,
    /// Print the OpenAPI document the server publishes at `/openapi.json`, then exit.
    Openapi,
}

/// Runs the chosen command to completion.
pub async fn run(cli: Cli, config: Config) -> anyhow::Result<()> {
    match cli.command.unwrap_or(Command::Serve { no_worker: false }) {
        Command::Serve { no_worker } => {
            let mut config = config;
            config.worker &= !no_worker;
            serve(config).await
        }
        Command::Worker => {
            let stop = tokio_util::sync::CancellationToken::new();
            let worker = tokio::spawn(crate::app::run_worker(config, Clock::System, stop.clone()));
            println!("gatehouse worker running");
            shutdown_signal().await;
            stop.cancel();
            worker.await?
        }
        Command::Migrate => {
            let store = crate::store::open(&config.database_url(), 1).await?;
            store.close().await;
            println!("database is up to date");
            Ok(())
        }
        Command::Createsuperuser {
            username,
            email,
            password_stdin,
        } => createsuperuser(config, username, email, password_stdin).await,
        Command::ImportDjango(args) => crate::import::run(&config, args).await,
        Command::Check => check(config).await,
        Command::Openapi => {
            println!("{}", crate::http::openapi::document().to_pretty_json()?);
            Ok(())
        }
    }
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let running = crate::app::start(config, Clock::System).await?;
    println!("gatehouse listening on http://{}", running.addr());
    shutdown_signal().await;
    tracing::info!("shutting down: finishing in-flight requests");
    running.shutdown().await
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(signal) => signal,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot listen for SIGTERM; Ctrl-C only");
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}

async fn check(config: Config) -> anyhow::Result<()> {
    println!("configuration: ok");
    let store = crate::store::open(&config.database_url(), 1).await?;
    store.ping().await?;
    store.close().await;
    println!("database: ok");
    if let Some(url) = &config.redis_url {
        let client = redis::Client::open(url.as_str())?;
        let mut conn = tokio::time::timeout(
            std::time::Duration::from_secs(5),
            client.get_multiplexed_async_connection(),
        )
        .await
        .map_err(|_| anyhow::anyhow!("REDIS_URL: no answer within 5 s"))??;
        redis::cmd("PING").query_async::<String>(&mut conn).await?;
        println!("redis: ok");
    }
    Ok(())
}

async fn createsuperuser(
    config: Config,
    username: Option<String>,
    email: Option<String>,
    password_stdin: bool,
) -> anyhow::Result<()> {
    let username = Username::parse(&match username {
        Some(u) => u,
        None => prompt("Username: ", "--username")?,
    })
    .map_err(|e| anyhow::anyhow!("username: {e}"))?;
    let email = Email::parse(&match email {
        Some(e) => e,
        None => prompt("Email address: ", "--email")?,
    })
    .map_err(|e| anyhow::anyhow!("email: {e}"))?;
    let raw = if password_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        line.trim_end_matches(['\r', '\n']).to_owned()
    } else {
        if !std::io::stdin().is_terminal() {
            anyhow::bail!("no terminal to ask for a password: pass --password-stdin");
        }
        let first = rpassword::prompt_password("Password: ")?;
        let again = rpassword::prompt_password("Password (again): ")?;
        if first != again {
            anyhow::bail!("the two passwords didn't match");
        }
        first
    };
    let password = PasswordPolicy::new(config.password_min_length)
        .check(raw, &[username.as_ref(), email.as_ref()])
        .map_err(|e| anyhow::anyhow!("password: {e}"))?;
    let roles = config.role_set()?;
    let hash = crate::app::passwords(&config)?.hash(&password).await?;
    let store = crate::store::open(&config.database_url(), 1).await?;
    let user = store
        .create_user(NewUser {
            public_id: PublicId::random(),
            username,
            email,
            password_hash: hash,
            first_name: String::new(),
            last_name: String::new(),
            phone_number: String::new(),
            date_of_birth: None,
            gender: String::new(),
            role: roles.default_signup(),
            is_active: true,
            is_email_verified: true,
            is_staff: true,
            is_superuser: true,
            date_joined: chrono::Utc::now(),
        })
        .await;
    store.close().await;
    let user = user.map_err(|e| anyhow::anyhow!("{e}"))?;
    println!("superuser {} created (id {})", user.username, user.id);
    Ok(())
}

/// Asks on the terminal; without one, names the flag that answers instead.
fn prompt(label: &str, flag: &str) -> anyhow::Result<String> {
    if !std::io::stdin().is_terminal() {
        anyhow::bail!("no terminal to ask {label:?}: pass {flag}");
    }
    print!("{label}");
    std::io::stdout().flush()?;
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(line.trim().to_owned())
}
