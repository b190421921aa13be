//! `hello`: a bare axum "hello" handler, the ceiling any axum server on this machine can reach.
//! `bench/run.sh` loads it with the same wrk settings as gatehouse's scenarios, so the ratio of
//! the two says what gatehouse's own work costs. Same runtime as the server: tokio's default
//! multi-threaded runtime, one worker per core.

use axum::Router;
use axum::routing::get;
use clap::Parser;

/// The server's allocator, so the baseline measures what gatehouse could reach.
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[derive(Debug, Parser)]
struct Args {
    /// Port to listen on, on 127.0.0.1.
    #[arg(long)]
    port: u16,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    #[expect(
        clippy::disallowed_methods,
        reason = "a bare axum baseline for the benchmarks, not a gatehouse route"
    )]
    let app = Router::new().route("/", get(|| async { "hello" }));
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", args.port)).await?;
    axum::serve(listener, app).await?;
    Ok(())
}
