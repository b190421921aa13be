//! Opening the database: the pragmas every connection gets, the connections, and the migrations.
//!
//! SQLite lets one connection write at a time, and a connection's page cache is dropped whenever
//! another connection has written since its last use. So writes are not spread over the reading
//! pool, where each would find its cache dropped by the last write on another connection: every
//! write but refresh rotations goes through one connection (a pool of one, so a chunked job such
//! as pruning lets other writes in between its statements), whose cache of the pages writes keep
//! touching (the last pages of the sessions and audit tables, the inner pages of their indexes)
//! survives from one write to the next unless a rotation came between. Rotations have their own
//! ([`Rotations`]). Writers in this process queue on the pool, in order, instead of on SQLite's
//! busy timeout, which sleeps between tries.

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use gatehouse_domain::{Advance, StoreError, UserId};
use sqlx::migrate::Migrator;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{ConnectOptions as _, Connection as _, SqlitePool};
use tokio::sync::Mutex;

use crate::SqliteStore;
use crate::checkpoint::Checkpointer;
use crate::error::db;

static MIGRATOR: Migrator = sqlx::migrate!("./migrations");

/// How long a connection waits for another writer before giving up with `SQLITE_BUSY`.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

impl SqliteStore {
    /// Opens (creating the file and its parent directory if missing) the database at `path`
    /// with a pool of at most `max_connections` (at least one).
    pub async fn open(path: &Path, max_connections: u32) -> Result<Self, StoreError> {
        Self::connect(SqliteConnectOptions::new().filename(path), max_connections).await
    }

    /// Like [`SqliteStore::open`], from a `sqlite://path` or `sqlite:path` URL (query parameters
    /// as sqlx reads them; `sqlite::memory:` is a database private to this pool).
    /// Any other scheme is refused, so a URL meant for another database never becomes a file.
    pub async fn open_url(url: &str, max_connections: u32) -> Result<Self, StoreError> {
        if !url.starts_with("sqlite:") {
            return Err(StoreError::Other(
                format!(
                    "not a sqlite: URL: {}",
                    url.split(':').next().unwrap_or_default()
                )
                .into(),
            ));
        }
        let options = SqliteConnectOptions::from_str(url).map_err(db)?;
        Self::connect(options, max_connections).await
    }

    /// Applies the embedded migrations that have not run yet.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        MIGRATOR
            .run(&self.pool)
            .await
            .map_err(|e| StoreError::Other(Box::new(e)))
    }

    async fn connect(
        options: SqliteConnectOptions,
        max_connections: u32,
    ) -> Result<Self, StoreError> {
        let options = options
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(BUSY_TIMEOUT)
            .foreign_keys(true);
        let path = options.get_filename();
        // An in-memory database is named `file:…` and has no directory to create.
        let in_memory = path.as_os_str().is_empty() || path.to_string_lossy().starts_with("file:");
        if !in_memory && let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            tokio::fs::create_dir_all(parent)
                .await
                .map_err(|e| StoreError::Other(Box::new(e)))?;
        }
        // sqlx pings a connection before handing it out by default, a round trip to the
        // connection's thread before every statement's own. An SQLite connection is a file in
        // this process, with no far end that could have hung up: the ping finds nothing.
        let pool_options = SqlitePoolOptions::new().test_before_acquire(false);
        let pool = pool_options
            .clone()
            .max_connections(max_connections.max(1))
            .connect_with(named(&options, "sqlite-read"))
            .await
            .map_err(db)?;
        let (writer, rotations) = if in_memory {
            (pool.clone(), Rotations::Shared(pool.clone()))
        } else {
            // A write waits for the writer no longer than SQLite's busy timeout would wait.
            let writer = pool_options
                .max_connections(1)
                .acquire_timeout(BUSY_TIMEOUT)
                .connect_with(named(&options, "sqlite-write"))
                .await
                .map_err(db)?;
            let own = named(&options, "sqlite-rotate")
                .connect()
                .await
                .map_err(db)?;
            let checkpoints = named(&options, "sqlite-ckpt").connect().await.map_err(db)?;
            let own = Dedicated {
                conn: Mutex::new(Some(own)),
                checkpoints: Checkpointer::start(checkpoints),
            };
            (writer, Rotations::Own(Arc::new(own)))
        };
        Ok(Self {
            pool,
            writer,
            rotations,
        })
    }
}

/// `options` with each connection's thread named for its role, so that per-thread readings
/// (`/proc`, `perf sched`, `bench/trace.sh`) tell reads, writes and rotations apart. Linux keeps
/// the first 15 bytes of a thread's name.
fn named(options: &SqliteConnectOptions, role: &'static str) -> SqliteConnectOptions {
    options
        .clone()
        .thread_name(move |id| format!("{role}-{id}"))
}

/// Where refresh rotations run.
///
/// A file database gives them a connection of their own, held for good rather than borrowed from
/// a pool: a connection's page cache is thrown away whenever another connection has written
/// since its last use, so batches spread over a pool would re-read their pages from the file
/// every time; and a pool pings each connection on its way back (a round trip to the
/// connection's thread), which would stand between one batch and the next. Their commits are
/// checkpointed in the background ([`Checkpointer`]).
#[derive(Debug, Clone)]
pub(crate) enum Rotations {
    Own(Arc<Dedicated>),
    /// An in-memory database is private to its pool: a second connection could not see it (and
    /// it has no log to checkpoint).
    Shared(SqlitePool),
}

/// The rotations' own connection, and the background checkpoints that follow its commits.
#[derive(Debug)]
pub(crate) struct Dedicated {
    /// `None` once the store is closed.
    conn: Mutex<Option<SqliteConnection>>,
    checkpoints: Checkpointer,
}

impl Rotations {
    /// Applies a batch of rotations ([`crate::sessions::advance`]) where they run.
    pub(crate) async fn advance(
        &self,
        steps: &[Advance],
    ) -> Result<Vec<Option<UserId>>, StoreError> {
        match self {
            Self::Own(own) => {
                let mut conn = own.conn.lock().await;
                let conn = conn.as_mut().ok_or_else(|| db(sqlx::Error::PoolClosed))?;
                let moved = crate::sessions::advance(conn, steps).await?;
                own.checkpoints.wrote();
                Ok(moved)
            }
            Self::Shared(pool) => crate::sessions::advance(pool, steps).await,
        }
    }

    pub(crate) async fn close(&self) {
        match self {
            Self::Own(own) => {
                if let Some(conn) = own.conn.lock().await.take() {
                    let _ = conn.close().await;
                }
                own.checkpoints.close().await;
            }
            Self::Shared(_) => {}
        }
    }
}
