//! `gatehouse`: parse the command line, load the configuration, start logging, run.

use std::process::ExitCode;

use clap::Parser as _;
use gatehouse::cli::{self, Cli};
use gatehouse::config::Config;

/// jemalloc rather than glibc's malloc: under refresh load glibc's `malloc`/`free` were 15 % of
/// the server's CPU samples, and jemalloc gave 28 % more refreshes and 9 % more verifies per
/// second in alternating runs (docs/DESIGN.md, "jemalloc").
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match Config::load(cli.config.as_deref()) {
        Ok(config) => config,
        Err(e) => {
            eprintln!("gatehouse: {e}");
            return ExitCode::from(2);
        }
    };
    gatehouse::telemetry::init(&config);
    match cli::run(cli, config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gatehouse: {e:#}");
            ExitCode::FAILURE
        }
    }
}
