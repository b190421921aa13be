//! gatehouse's store on PostgreSQL: for several nodes sharing one database.
//!
//! Concurrency is PostgreSQL's: single-statement compare-and-set updates, row locks where a
//! transaction reads before it writes, and unique indexes (named, so violations map to API
//! fields) as the last word on races. TLS is available through the URL (`sslmode=require`),
//! using rustls with ring and the bundled webpki roots.

mod audit;
mod codec;
mod directory;
mod error;
mod import;
mod jobs;
mod keys;
mod mfa;
mod redeem;
mod rotations;
mod scratch;
mod secrets;
mod sessions;
mod source;
mod users;

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use gatehouse_domain::{
    AccountPatch, Advance, AuditPage, AuditQuery, Credentials, ImportOutcome, ImportedUser, JobId,
    JobPage, JobRecord, JobState, MfaProof, NewAuditEntry, NewJob, NewSecret, NewSession, NewUser,
    ProfilePatch, PublicId, Purpose, Redeemed, Redemption, RevokedSession, SecretId, SecretRecord,
    Session, SessionId, SigningKeyRecord, Store, StoreError, TotpRecord, User, UserId, UserPage,
    UserQuery,
};
use sqlx::PgPool;
use sqlx::migrate::Migrator;
use sqlx::postgres::PgPoolOptions;

pub use crate::scratch::{create_scratch_database, drop_database};
pub use crate::source::read_foreign_table;

use crate::error::db;
use crate::rotations::Rotations;

static MIGRATOR: Migrator = sqlx::migrate!("./migrations");

/// A connection idle this long is pinged before use (see [`PgStore::connect`]); rotations'
/// own connection too.
pub(crate) const PING_AFTER_IDLE: std::time::Duration = std::time::Duration::from_secs(1);

/// The PostgreSQL implementation of [`Store`]; cloning shares the pool and the rotations'
/// connection.
#[derive(Debug, Clone)]
pub struct PgStore {
    pool: PgPool,
    /// Where `advance_sessions` runs (`rotations`).
    rotations: Arc<Rotations>,
}

impl PgStore {
    /// Connects a pool of at most `max_connections` (at least one) to the `postgres://` `url`,
    /// opening one connection now so a wrong URL fails here. Refresh rotations open one more
    /// of their own on the first one (`rotations.rs`).
    pub async fn connect(url: &str, max_connections: u32) -> Result<Self, StoreError> {
        let pool = PgPoolOptions::new()
            .max_connections(max_connections.max(1))
            // sqlx pings every connection it hands out by default: a second round trip to the
            // server for every statement. A connection in steady use shows it is alive by being
            // used; only one that sat idle (the server or a firewall may have dropped it since)
            // is pinged first, and replaced if the ping fails. (sqlx still pings each connection
            // given back to the pool, which rotations avoid: `rotations.rs`.)
            .test_before_acquire(false)
            .before_acquire(|conn, meta| {
                Box::pin(async move {
                    if meta.idle_for >= PING_AFTER_IDLE {
                        sqlx::Connection::ping(conn).await?;
                    }
                    Ok(true)
                })
            })
            .connect(url)
            .await
            .map_err(db)?;
        Ok(Self {
            rotations: Arc::new(Rotations::new(pool.clone())),
            pool,
        })
    }

    /// Applies the embedded migrations that have not run yet (sqlx takes an advisory lock, so
    /// nodes starting together do not run them twice).
    pub async fn migrate(&self) -> Result<(), StoreError> {
        MIGRATOR
            .run(&self.pool)
            .await
            .map_err(|e| StoreError::Other(Box::new(e)))
    }
}

#[async_trait]
impl Store for PgStore {
    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn close(&self) {
        self.rotations.close().await;
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

    async fn user_by_public_id(&self, id: PublicId) -> Result<Option<User>, StoreError> {
        directory::by_public_id(&self.pool, id).await
    }

    async fn list_users(&self, query: &UserQuery) -> Result<UserPage, StoreError> {
        directory::list(&self.pool, query).await
    }

    async fn update_account(
        &self,
        id: UserId,
        patch: &AccountPatch,
        now: DateTime<Utc>,
    ) -> Result<(User, Vec<SessionId>), StoreError> {
        directory::update_account(&self.pool, id, patch, now).await
    }

    async fn record_audit(&self, entry: &NewAuditEntry) -> Result<(), StoreError> {
        audit::record(&self.pool, entry).await
    }

    async fn audit_entries(&self, query: &AuditQuery) -> Result<AuditPage, StoreError> {
        audit::entries(&self.pool, query).await
    }

    async fn prune_audit(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        audit::prune(&self.pool, before).await
    }

    async fn list_jobs(
        &self,
        state: Option<JobState>,
        offset: u64,
        limit: u32,
    ) -> Result<JobPage, StoreError> {
        jobs::list(&self.pool, state, offset, limit).await
    }

    async fn requeue_dead_job(&self, id: JobId, now: DateTime<Utc>) -> Result<bool, StoreError> {
        jobs::requeue_dead(&self.pool, id, now).await
    }

    async fn start_session(
        &self,
        session: NewSession,
        login: Option<&NewAuditEntry>,
    ) -> Result<Session, StoreError> {
        sessions::start(&self.pool, session, login).await
    }

    async fn session(&self, id: SessionId) -> Result<Option<Session>, StoreError> {
        sessions::by_id(&self.pool, id).await
    }

    async fn advance_sessions(&self, steps: &[Advance]) -> Result<Vec<Option<UserId>>, StoreError> {
        self.rotations.advance(steps).await
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
        notice: &NewJob,
    ) -> Result<Vec<SessionId>, StoreError> {
        sessions::change_password(&self.pool, user, hash, keep, now, expires_at, notice).await
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

    async fn create_user_with_secret(
        &self,
        user: NewUser,
        secret: NewSecret,
        job: NewJob,
    ) -> Result<User, StoreError> {
        secrets::create_user_with_secret(&self.pool, user, &secret, &job).await
    }

    async fn issue_secrets(
        &self,
        user: UserId,
        secrets: &[NewSecret],
        job: NewJob,
        cooldown_since: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        secrets::issue(&self.pool, user, secrets, &job, cooldown_since).await
    }

    async fn live_secret(
        &self,
        user: UserId,
        purpose: Purpose,
        now: DateTime<Utc>,
        max_attempts: i32,
    ) -> Result<Option<SecretRecord>, StoreError> {
        secrets::live(&self.pool, user, purpose, now, max_attempts).await
    }

    async fn secret_by_hash(
        &self,
        purpose: Purpose,
        hash: &[u8],
        now: DateTime<Utc>,
    ) -> Result<Option<SecretRecord>, StoreError> {
        secrets::by_hash(&self.pool, purpose, hash, now).await
    }

    async fn fail_secret(&self, id: SecretId) -> Result<(), StoreError> {
        secrets::fail(&self.pool, id).await
    }

    async fn redeem_secret(
        &self,
        id: SecretId,
        effect: Redemption,
        now: DateTime<Utc>,
    ) -> Result<Redeemed, StoreError> {
        redeem::redeem(&self.pool, id, effect, now).await
    }

    async fn prune_secrets(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        secrets::prune(&self.pool, before).await
    }

    async fn enqueue_job(&self, job: NewJob) -> Result<JobId, StoreError> {
        jobs::insert(&self.pool, &job).await
    }

    async fn claim_jobs(
        &self,
        worker: &str,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<JobRecord>, StoreError> {
        jobs::claim(&self.pool, worker, now, lease_until, limit).await
    }

    async fn finish_job(
        &self,
        id: JobId,
        worker: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        jobs::finish(&self.pool, id, worker, now).await
    }

    async fn retry_job(
        &self,
        id: JobId,
        worker: &str,
        error: &str,
        run_at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        jobs::retry(&self.pool, id, worker, error, run_at).await
    }

    async fn bury_job(
        &self,
        id: JobId,
        worker: &str,
        error: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        jobs::bury(&self.pool, id, worker, error, now).await
    }

    async fn job(&self, id: JobId) -> Result<Option<JobRecord>, StoreError> {
        jobs::by_id(&self.pool, id).await
    }

    async fn prune_jobs(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        jobs::prune(&self.pool, before).await
    }

    async fn import_user(
        &self,
        user: ImportedUser,
        dry_run: bool,
    ) -> Result<ImportOutcome, StoreError> {
        import::import_user(&self.pool, user, dry_run).await
    }

    async fn totp(&self, user: UserId) -> Result<Option<TotpRecord>, StoreError> {
        mfa::totp(&self.pool, user).await
    }

    async fn enrol_totp(
        &self,
        user: UserId,
        sealed_secret: &[u8],
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        mfa::enrol(&self.pool, user, sealed_secret, now).await
    }

    async fn confirm_totp(
        &self,
        user: UserId,
        sealed_secret: &[u8],
        step: i64,
        recovery_hashes: &[Vec<u8>],
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        mfa::confirm(&self.pool, user, sealed_secret, step, recovery_hashes, now).await
    }

    async fn create_mfa_challenge(
        &self,
        user: UserId,
        challenge: &NewSecret,
    ) -> Result<(), StoreError> {
        mfa::create_challenge(&self.pool, user, challenge).await
    }

    async fn pass_mfa_challenge(
        &self,
        id: SecretId,
        proof: MfaProof,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        mfa::pass_challenge(&self.pool, id, proof, now).await
    }

    async fn disable_totp(
        &self,
        user: UserId,
        proof: MfaProof,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        mfa::disable(&self.pool, user, proof, now).await
    }
}
