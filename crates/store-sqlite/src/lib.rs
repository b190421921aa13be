//! gatehouse's store on SQLite: the single-node default, one file, no server to run.
//!
//! Every connection runs in WAL mode with `synchronous=NORMAL`, a 5 s busy timeout and foreign
//! keys on. Reads share a pool; writes go through one connection of their own, and refresh
//! rotations, the hottest write, through another, held outside any pool ([`connect`] says why).
//! A fourth connection checkpoints the log in the background after rotations ([`checkpoint`]).
//! Transactions that write start with `BEGIN IMMEDIATE`, so a writer in another process (the
//! command line) queues on the busy timeout instead of failing when a read lock cannot be
//! upgraded.
//!
//! A write outside a transaction that returns rows (`… RETURNING`) is always stepped to its end
//! (`fetch_all`), never stopped at its first row (`fetch_one`, `fetch_optional`). Stopped early,
//! the statement is committed when sqlx resets it, and SQLite runs its WAL hook, and with it the
//! automatic checkpoint, only when a step reaches the end: writes committed by a reset never
//! checkpoint, so a run of them alone grows the WAL without bound (seeding 1,500,000 sessions
//! grew it to about 30 GB). A test holds the WAL's size after many session starts.

mod audit;
mod checkpoint;
mod codec;
mod connect;
mod directory;
mod error;
mod import;
mod jobs;
mod keys;
mod mfa;
mod redeem;
mod secrets;
mod sessions;
mod source;
mod users;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use gatehouse_domain::{
    AccountPatch, Advance, AuditPage, AuditQuery, Credentials, ImportOutcome, ImportedUser, JobId,
    JobPage, JobRecord, JobState, MfaProof, NewAuditEntry, NewJob, NewSecret, NewSession, NewUser,
    ProfilePatch, PublicId, Purpose, Redeemed, Redemption, RevokedSession, SecretId, SecretRecord,
    Session, SessionId, SigningKeyRecord, Store, StoreError, TotpRecord, User, UserId, UserPage,
    UserQuery,
};
use sqlx::SqlitePool;

pub use crate::source::read_foreign_table;

use crate::error::db;

/// The SQLite implementation of [`Store`]; cloning shares the connections.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    /// Reads.
    pool: SqlitePool,
    /// Every write but rotations: a pool of one connection (the same pool as `pool` for an
    /// in-memory database).
    writer: SqlitePool,
    /// Where `advance_sessions` runs.
    rotations: connect::Rotations,
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
        self.writer.close().await;
        self.rotations.close().await;
    }

    async fn create_user(&self, user: NewUser) -> Result<User, StoreError> {
        users::create(&self.writer, user).await
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
        users::set_password_hash(&self.writer, id, hash).await
    }

    async fn update_profile(&self, id: UserId, patch: &ProfilePatch) -> Result<User, StoreError> {
        users::update_profile(&self.writer, id, patch).await
    }

    async fn delete_user(
        &self,
        id: UserId,
        now: DateTime<Utc>,
    ) -> Result<Vec<SessionId>, StoreError> {
        users::delete(&self.writer, id, now).await
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
        directory::update_account(&self.writer, id, patch, now).await
    }

    async fn record_audit(&self, entry: &NewAuditEntry) -> Result<(), StoreError> {
        audit::record(&self.writer, entry).await
    }

    async fn audit_entries(&self, query: &AuditQuery) -> Result<AuditPage, StoreError> {
        audit::entries(&self.pool, query).await
    }

    async fn prune_audit(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        audit::prune(&self.writer, before).await
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
        jobs::requeue_dead(&self.writer, id, now).await
    }

    async fn start_session(
        &self,
        session: NewSession,
        login: Option<&NewAuditEntry>,
    ) -> Result<Session, StoreError> {
        sessions::start(&self.writer, session, login).await
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
        sessions::revoke(&self.writer, id, user, now).await
    }

    async fn revoke_user_sessions(
        &self,
        user: UserId,
        keep: Option<SessionId>,
        now: DateTime<Utc>,
    ) -> Result<Vec<SessionId>, StoreError> {
        sessions::revoke_all(&self.writer, user, keep, now).await
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
        sessions::change_password(&self.writer, user, hash, keep, now, expires_at, notice).await
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
        sessions::prune(&self.writer, before).await
    }

    async fn signing_keys(&self) -> Result<Vec<SigningKeyRecord>, StoreError> {
        keys::signing_keys(&self.pool).await
    }

    async fn ensure_signing_key(&self, candidate: SigningKeyRecord) -> Result<(), StoreError> {
        keys::ensure_signing_key(&self.writer, candidate).await
    }

    async fn ensure_secret(&self, name: &str, candidate: &[u8]) -> Result<Vec<u8>, StoreError> {
        keys::ensure_secret(&self.writer, name, candidate).await
    }

    async fn create_user_with_secret(
        &self,
        user: NewUser,
        secret: NewSecret,
        job: NewJob,
    ) -> Result<User, StoreError> {
        secrets::create_user_with_secret(&self.writer, user, &secret, &job).await
    }

    async fn issue_secrets(
        &self,
        user: UserId,
        secrets: &[NewSecret],
        job: NewJob,
        cooldown_since: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        secrets::issue(&self.writer, user, secrets, &job, cooldown_since).await
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
        secrets::fail(&self.writer, id).await
    }

    async fn redeem_secret(
        &self,
        id: SecretId,
        effect: Redemption,
        now: DateTime<Utc>,
    ) -> Result<Redeemed, StoreError> {
        redeem::redeem(&self.writer, id, effect, now).await
    }

    async fn prune_secrets(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        secrets::prune(&self.writer, before).await
    }

    async fn enqueue_job(&self, job: NewJob) -> Result<JobId, StoreError> {
        jobs::insert(&self.writer, &job).await
    }

    async fn claim_jobs(
        &self,
        worker: &str,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<JobRecord>, StoreError> {
        jobs::claim(&self.writer, worker, now, lease_until, limit).await
    }

    async fn finish_job(
        &self,
        id: JobId,
        worker: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        jobs::finish(&self.writer, id, worker, now).await
    }

    async fn retry_job(
        &self,
        id: JobId,
        worker: &str,
        error: &str,
        run_at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        jobs::retry(&self.writer, id, worker, error, run_at).await
    }

    async fn bury_job(
        &self,
        id: JobId,
        worker: &str,
        error: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        jobs::bury(&self.writer, id, worker, error, now).await
    }

    async fn job(&self, id: JobId) -> Result<Option<JobRecord>, StoreError> {
        jobs::by_id(&self.pool, id).await
    }

    async fn prune_jobs(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        jobs::prune(&self.writer, before).await
    }

    async fn import_user(
        &self,
        user: ImportedUser,
        dry_run: bool,
    ) -> Result<ImportOutcome, StoreError> {
        import::import_user(&self.writer, user, dry_run).await
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
        mfa::enrol(&self.writer, user, sealed_secret, now).await
    }

    async fn confirm_totp(
        &self,
        user: UserId,
        sealed_secret: &[u8],
        step: i64,
        recovery_hashes: &[Vec<u8>],
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        mfa::confirm(
            &self.writer,
            user,
            sealed_secret,
            step,
            recovery_hashes,
            now,
        )
        .await
    }

    async fn create_mfa_challenge(
        &self,
        user: UserId,
        challenge: &NewSecret,
    ) -> Result<(), StoreError> {
        mfa::create_challenge(&self.writer, user, challenge).await
    }

    async fn pass_mfa_challenge(
        &self,
        id: SecretId,
        proof: MfaProof,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        mfa::pass_challenge(&self.writer, id, proof, now).await
    }

    async fn disable_totp(
        &self,
        user: UserId,
        proof: MfaProof,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        mfa::disable(&self.writer, user, proof, now).await
    }
}

#[cfg(test)]
mod tests;
