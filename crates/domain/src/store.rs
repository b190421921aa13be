//! The store contract. Each method is one use case and owns its transaction, so a caller can
//! never leave half an operation behind. `SQLite` and `PostgreSQL` implement it in their own crates
//! (`gatehouse-store-sqlite`, `gatehouse-store-postgres`) with their own SQL and migrations;
//! one integration suite runs against both.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::{
    AccountPatch, Advance, AuditPage, AuditQuery, ImportOutcome, ImportedUser, JobId, JobPage,
    JobRecord, JobState, MfaProof, NewAuditEntry, NewJob, NewSecret, NewSession, NewUser,
    ProfilePatch, PublicId, Purpose, Redeemed, Redemption, RevokedSession, SecretId, SecretRecord,
    Session, SessionId, TotpRecord, User, UserId, UserPage, UserQuery,
};

/// Why a store call failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A unique field is taken; carries the API field name (`username` or `email`).
    #[error("{0} is already taken")]
    Conflict(&'static str),
    /// The row the call needs does not exist (or is not the caller's).
    #[error("not found")]
    NotFound,
    /// Anything else: the database is down, a constraint we did not expect, a bug.
    #[error(transparent)]
    Other(Box<dyn std::error::Error + Send + Sync>),
}

/// A user with their password hash, for the few paths that check or replace a password.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub user: User,
    pub password_hash: String,
    /// Whether a confirmed TOTP guards the account's logins. Read with the password hash, so a
    /// password login learns whether to ask for a second factor without another query.
    pub second_factor: bool,
}

/// An Ed25519 signing key as stored. `private_der` is PKCS#8 DER, `public_raw` the 32-byte key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigningKeyRecord {
    pub kid: String,
    pub private_der: Vec<u8>,
    pub public_raw: Vec<u8>,
    pub created_at: DateTime<Utc>,
    /// Set when a newer key took over signing; the key still verifies until its tokens expire.
    pub retired_at: Option<DateTime<Utc>>,
}

#[async_trait]
pub trait Store: Send + Sync + std::fmt::Debug {
    /// Cheap round trip for `/readyz`.
    async fn ping(&self) -> Result<(), StoreError>;

    /// Closes the pool, waiting for connections in use to be returned.
    async fn close(&self);

    // --- users ---

    /// Inserts a user. A taken username or email (case-insensitive) is `Conflict("username")` or
    /// `Conflict("email")`.
    async fn create_user(&self, user: NewUser) -> Result<User, StoreError>;

    async fn user_by_id(&self, id: UserId) -> Result<Option<User>, StoreError>;

    /// Finds a user by username or email, case-insensitively; an exact username match wins over
    /// an email match.
    async fn credentials_by_login(&self, login: &str) -> Result<Option<Credentials>, StoreError>;

    async fn credentials_by_id(&self, id: UserId) -> Result<Option<Credentials>, StoreError>;

    /// Replaces the hash without touching sessions: the upgrade of an old hash after a login.
    async fn set_password_hash(&self, id: UserId, hash: &str) -> Result<(), StoreError>;

    /// Applies a profile patch; `Conflict("username")` when the new username is taken,
    /// `NotFound` when the user is gone.
    async fn update_profile(&self, id: UserId, patch: &ProfilePatch) -> Result<User, StoreError>;

    /// Deletes the user and their sessions for good, returning the sessions that were live so
    /// their access tokens can be revoked. `NotFound` when there was no such user.
    async fn delete_user(
        &self,
        id: UserId,
        now: DateTime<Utc>,
    ) -> Result<Vec<SessionId>, StoreError>;

    // --- directory and administration ---

    async fn user_by_public_id(&self, id: PublicId) -> Result<Option<User>, StoreError>;

    /// One page of users matching `query`, with the total count.
    async fn list_users(&self, query: &UserQuery) -> Result<UserPage, StoreError>;

    /// Applies a staff change to an account in one transaction; deactivating revokes the
    /// account's live sessions, which are returned. `NotFound` when there is no such user.
    async fn update_account(
        &self,
        id: UserId,
        patch: &AccountPatch,
        now: DateTime<Utc>,
    ) -> Result<(User, Vec<SessionId>), StoreError>;

    /// Appends one entry to the audit log.
    async fn record_audit(&self, entry: &NewAuditEntry) -> Result<(), StoreError>;

    /// Audit entries matching `query`, newest first.
    async fn audit_entries(&self, query: &AuditQuery) -> Result<AuditPage, StoreError>;

    /// Deletes audit entries older than `before`; returns how many.
    async fn prune_audit(&self, before: DateTime<Utc>) -> Result<u64, StoreError>;

    /// Jobs in `state` (any state when `None`), newest first.
    async fn list_jobs(
        &self,
        state: Option<JobState>,
        offset: u64,
        limit: u32,
    ) -> Result<JobPage, StoreError>;

    /// Puts a dead job back in the queue to run at `now` with its attempts reset; false when the
    /// job is not dead (or does not exist).
    async fn requeue_dead_job(&self, id: JobId, now: DateTime<Utc>) -> Result<bool, StoreError>;

    // --- sessions ---

    /// Starts a session at counter 0, records the login in `users.last_login` and appends
    /// `login`, the audit entry recording it, to the audit log, all in one transaction: a
    /// session is never stored without its entry. `None` writes the session alone (seeding).
    async fn start_session(
        &self,
        session: NewSession,
        login: Option<&NewAuditEntry>,
    ) -> Result<Session, StoreError>;

    async fn session(&self, id: SessionId) -> Result<Option<Session>, StoreError>;

    /// Applies each rotation whose session is still at `from`, live and unexpired (a
    /// compare-and-set per step), all in one transaction, and answers per step, in order, the
    /// session's user when it moved and `None` when it did not (another request moved it first,
    /// or it is unknown, revoked or expired). A session moves at most once per call.
    /// Sets `rotated_at` and `last_used_at` to the step's `now`.
    async fn advance_sessions(&self, steps: &[Advance]) -> Result<Vec<Option<UserId>>, StoreError>;

    /// Revokes one session if it belongs to `user` and is live; false otherwise.
    async fn revoke_session(
        &self,
        id: SessionId,
        user: UserId,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    /// Revokes every live session of `user` except `keep`; returns those it revoked.
    async fn revoke_user_sessions(
        &self,
        user: UserId,
        keep: Option<SessionId>,
        now: DateTime<Utc>,
    ) -> Result<Vec<SessionId>, StoreError>;

    /// In one transaction: sets the new hash, revokes every live session except `keep`, and moves
    /// `keep`'s counter one step (so the caller gets a fresh refresh token), and enqueues `notice`
    /// (the "your password was changed" email). Returns the revoked.
    /// `NotFound` (and nothing changed) when the user or `keep` is not one of their live sessions.
    async fn change_password(
        &self,
        user: UserId,
        hash: &str,
        keep: SessionId,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
        notice: &NewJob,
    ) -> Result<Vec<SessionId>, StoreError>;

    /// Live (not revoked, not expired at `now`) sessions of a user, newest first.
    async fn live_sessions(
        &self,
        user: UserId,
        now: DateTime<Utc>,
    ) -> Result<Vec<Session>, StoreError>;

    /// Sessions revoked at or after `since`: the revocation set's start-up load and catch-up.
    async fn revoked_since(&self, since: DateTime<Utc>) -> Result<Vec<RevokedSession>, StoreError>;

    /// Removes sessions that expired or were revoked before `before`; returns how many.
    async fn prune_sessions(&self, before: DateTime<Utc>) -> Result<u64, StoreError>;

    // --- keys and secrets ---

    /// Every signing key, newest first.
    async fn signing_keys(&self) -> Result<Vec<SigningKeyRecord>, StoreError>;

    /// Stores `candidate` as the current signing key unless there already is one (several nodes
    /// starting at once agree on one key).
    async fn ensure_signing_key(&self, candidate: SigningKeyRecord) -> Result<(), StoreError>;

    /// Returns the secret stored under `name`, storing `candidate` first if there is none.
    async fn ensure_secret(&self, name: &str, candidate: &[u8]) -> Result<Vec<u8>, StoreError>;

    // --- one-time secrets (6-digit codes and link tokens) ---

    /// Creates a user together with their first secret and the job that delivers it, in one
    /// transaction: no account without its activation email, no email without its account.
    /// Conflicts as `create_user`.
    async fn create_user_with_secret(
        &self,
        user: NewUser,
        secret: NewSecret,
        job: NewJob,
    ) -> Result<User, StoreError>;

    /// In one transaction: stores `secrets` for `user`, voids the user's older live secrets of
    /// the same purposes, and enqueues `job` — unless the user has a secret of
    /// `secrets[0].purpose` created after `cooldown_since` (used or not): then nothing is written
    /// and the answer is false. `NotFound` when the user does not exist.
    async fn issue_secrets(
        &self,
        user: UserId,
        secrets: &[NewSecret],
        job: NewJob,
        cooldown_since: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    /// The user's newest live secret of `purpose`: not used, not voided, not expired at `now`,
    /// fewer than `max_attempts` wrong attempts.
    async fn live_secret(
        &self,
        user: UserId,
        purpose: Purpose,
        now: DateTime<Utc>,
        max_attempts: i32,
    ) -> Result<Option<SecretRecord>, StoreError>;

    /// The live secret of `purpose` whose keyed hash is `hash` (how link tokens are found).
    async fn secret_by_hash(
        &self,
        purpose: Purpose,
        hash: &[u8],
        now: DateTime<Utc>,
    ) -> Result<Option<SecretRecord>, StoreError>;

    /// Counts one wrong attempt against a secret.
    async fn fail_secret(&self, id: SecretId) -> Result<(), StoreError>;

    /// Uses a secret up and applies `effect`, in one transaction. `NotFound` (nothing changed)
    /// when the secret is already used, voided or expired at `now` — a lost race.
    async fn redeem_secret(
        &self,
        id: SecretId,
        effect: Redemption,
        now: DateTime<Utc>,
    ) -> Result<Redeemed, StoreError>;

    /// Deletes secrets that expired or were used or voided before `before`; returns how many.
    async fn prune_secrets(&self, before: DateTime<Utc>) -> Result<u64, StoreError>;

    // --- jobs ---

    async fn enqueue_job(&self, job: NewJob) -> Result<JobId, StoreError>;

    /// Claims up to `limit` due jobs — queued with `run_at <= now`, or running with a lease that
    /// expired before `now` — oldest `run_at` first: each becomes running for `worker` until
    /// `lease_until`, its attempts + 1. Two workers never claim the same job at once.
    async fn claim_jobs(
        &self,
        worker: &str,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<JobRecord>, StoreError>;

    /// Marks a job this worker holds as done and clears its payload (emails carry codes).
    /// False when the worker no longer holds it (lease expired and another worker took it).
    async fn finish_job(
        &self,
        id: JobId,
        worker: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    /// Puts a job this worker holds back in the queue for `run_at`, recording `error`.
    async fn retry_job(
        &self,
        id: JobId,
        worker: &str,
        error: &str,
        run_at: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    /// Moves a job this worker holds to the dead-letter state, recording `error`.
    async fn bury_job(
        &self,
        id: JobId,
        worker: &str,
        error: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    /// One job by id (tests and administration).
    async fn job(&self, id: JobId) -> Result<Option<JobRecord>, StoreError>;

    /// Deletes done jobs finished before `before`; returns how many.
    async fn prune_jobs(&self, before: DateTime<Utc>) -> Result<u64, StoreError>;

    // --- import ---

    /// Creates or updates the account imported from `user.key`, in one transaction: a key seen
    /// before updates that account (never a second one), keeping the stored password hash when
    /// it is a gatehouse hash (see `ImportedUser::password_hash`). A username or email that
    /// belongs to another user is `Conflict("username")` or `Conflict("email")`, with nothing
    /// written. With `dry_run` the transaction is rolled back: the answer says what would happen.
    async fn import_user(
        &self,
        user: ImportedUser,
        dry_run: bool,
    ) -> Result<ImportOutcome, StoreError>;

    // --- mfa ---

    /// The user's TOTP enrolment, confirmed or not, with their unused recovery codes; `None`
    /// when they have none.
    async fn totp(&self, user: UserId) -> Result<Option<TotpRecord>, StoreError>;

    /// Stores an unconfirmed TOTP secret (sealed by the server) for `user`, replacing an
    /// unconfirmed one. False, with nothing written, when the user's TOTP is already confirmed;
    /// `NotFound` when the user does not exist.
    async fn enrol_totp(
        &self,
        user: UserId,
        sealed_secret: &[u8],
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    /// In one transaction: confirms the user's unconfirmed enrolment if its secret is still
    /// `sealed_secret` (a re-enrolment meanwhile is not confirmed by the old secret's code),
    /// records `step` as the last used, and stores the recovery codes' hashes (replacing any).
    /// False, with nothing written, when there is no such enrolment.
    async fn confirm_totp(
        &self,
        user: UserId,
        sealed_secret: &[u8],
        step: i64,
        recovery_hashes: &[Vec<u8>],
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    /// Stores a login challenge (a secret of purpose `MfaChallenge`), voiding the user's older
    /// live ones. `NotFound` when the user does not exist.
    async fn create_mfa_challenge(
        &self,
        user: UserId,
        challenge: &NewSecret,
    ) -> Result<(), StoreError>;

    /// In one transaction: uses up the live challenge `id` and spends `proof` for its user (see
    /// `MfaProof`). `NotFound` (nothing changed) when the challenge is used, voided or expired at
    /// `now`; false (nothing changed) when the proof was already spent or the user's TOTP is not
    /// confirmed.
    async fn pass_mfa_challenge(
        &self,
        id: SecretId,
        proof: MfaProof,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    /// In one transaction: spends `proof` and removes the user's TOTP and recovery codes. False
    /// (nothing changed) when the proof was already spent or TOTP is not confirmed.
    async fn disable_totp(
        &self,
        user: UserId,
        proof: MfaProof,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
}
