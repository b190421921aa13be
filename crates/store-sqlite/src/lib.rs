//! gatehouse's store on SQLite: the single-node default, one file, no server to run.
//!
//! Every connection runs in WAL mode with `synchronous=NORMAL`, a 5 s busy timeout and foreign
//! keys on. Transactions that write start with `BEGIN IMMEDIATE`, so concurrent writers queue on
//! the busy timeout instead of failing when a read lock cannot be upgraded.

mod codec;
mod error;
mod keys;
mod sessions;
mod users;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use gatehouse_domain::{
    Credentials, NewSession, NewUser, ProfilePatch, RevokedSession, Session, SessionId,
    SigningKeyRecord, Store, StoreError, User, UserId,
};
use sqlx::SqlitePool;
use sqlx::migrate::Migrator;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use crate::error::db;

static MIGRATOR: Migrator = sqlx::migrate!("./migrations");

/// How long a connection waits for another writer before giving up with `SQLITE_BUSY`.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The SQLite implementation of [`Store`]; cloning shares the pool.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
}

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
        if !path.as_os_str().is_empty()
            && !path.to_string_lossy().starts_with("file:")
            && let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty())
        {
            tokio::fs::create_dir_all(parent)
                .await
                .map_err(|e| StoreError::Other(Box::new(e)))?;
        }
        let pool = SqlitePoolOptions::new()
            .max_connections(max_connections.max(1))
            .connect_with(options)
            .await
            .map_err(db)?;
        Ok(Self { pool })
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn close(&self) {
        self.pool.close().await;
    }

    async fn create_user(&self, user: NewUser) -> Result<User, StoreError> {
        users::create(&self.pool, user).await
    }

    async fn user_by_id(&self, id: UserId) -> Result<Option<User>, StoreError> {
        users::by_id(&self.pool, id).await
    }

    async fn credentials_by_login(&self, login: &str) -> Result<Option<Credentials>, StoreError> {
        users::credentials_by_login(&self.pool, login).await
    }

    async fn credentials_by_id(&self, id: UserId) -> Result<Option<Credentials>, StoreError> {
        users::credentials_by_id(&self.pool, id).await
    }

    async fn set_password_hash(&self, id: UserId, hash: &str) -> Result<(), StoreError> {
        users::set_password_hash(&self.pool, id, hash).await
    }

    async fn update_profile(&self, id: UserId, patch: &ProfilePatch) -> Result<User, StoreError> {
        users::update_profile(&self.pool, id, patch).await
    }

    async fn delete_user(
        &self,
        id: UserId,
        now: DateTime<Utc>,
    ) -> Result<Vec<SessionId>, StoreError> {
        users::delete(&self.pool, id, now).await
    }

    async fn start_session(&self, session: NewSession) -> Result<Session, StoreError> {
        sessions::start(&self.pool, session).await
    }

    async fn session(&self, id: SessionId) -> Result<Option<Session>, StoreError> {
        sessions::by_id(&self.pool, id).await
    }

    async fn advance_session(
        &self,
        id: SessionId,
        from: i64,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        sessions::advance(&self.pool, id, from, now, expires_at).await
    }

    async fn revoke_session(
        &self,
        id: SessionId,
        user: UserId,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        sessions::revoke(&self.pool, id, user, now).await
    }

    async fn revoke_user_sessions(
        &self,
        user: UserId,
        keep: Option<SessionId>,
        now: DateTime<Utc>,
    ) -> Result<Vec<SessionId>, StoreError> {
        sessions::revoke_all(&self.pool, user, keep, now).await
    }

    async fn change_password(
        &self,
        user: UserId,
        hash: &str,
        keep: SessionId,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<Vec<SessionId>, StoreError> {
        sessions::change_password(&self.pool, user, hash, keep, now, expires_at).await
    }

    async fn live_sessions(
        &self,
        user: UserId,
        now: DateTime<Utc>,
    ) -> Result<Vec<Session>, StoreError> {
        sessions::live(&self.pool, user, now).await
    }

    async fn revoked_since(&self, since: DateTime<Utc>) -> Result<Vec<RevokedSession>, StoreError> {
        sessions::revoked_since(&self.pool, since).await
    }

    async fn prune_sessions(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        sessions::prune(&self.pool, before).await
    }

    async fn signing_keys(&self) -> Result<Vec<SigningKeyRecord>, StoreError> {
        keys::signing_keys(&self.pool).await
    }

    async fn ensure_signing_key(&self, candidate: SigningKeyRecord) -> Result<(), StoreError> {
        keys::ensure_signing_key(&self.pool, candidate).await
    }

    async fn ensure_secret(&self, name: &str, candidate: &[u8]) -> Result<Vec<u8>, StoreError> {
        keys::ensure_secret(&self.pool, name, candidate).await
    }
}

#[cfg(test)]
mod tests;
