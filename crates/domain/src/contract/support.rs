//! Fixtures for the contract checks: tagged users, sessions, secrets, jobs, and fixed times.

use std::fmt::Debug;

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use uuid::Uuid;

use crate::{
    Email, JobId, JobRecord, NewJob, NewSecret, NewSession, NewUser, PublicId, Purpose, Role,
    SecretId, SecretRecord, Session, SessionId, Store, User, UserId, Username,
};

/// Unwraps with a message naming the call, so a failed check says what broke.
pub(super) trait Must<T> {
    fn must(self, what: &str) -> T;
}

impl<T, E: Debug> Must<T> for Result<T, E> {
    #[track_caller]
    fn must(self, what: &str) -> T {
        match self {
            Ok(value) => value,
            Err(error) => panic!("{what} failed: {error:?}"),
        }
    }
}

impl<T> Must<T> for Option<T> {
    #[track_caller]
    fn must(self, what: &str) -> T {
        match self {
            Some(value) => value,
            None => panic!("{what}: found nothing"),
        }
    }
}

/// A random tag that keeps one check's names apart from every other's.
pub(super) fn tag() -> String {
    Uuid::new_v4().simple().to_string()[..10].to_owned()
}

/// A timestamp from an RFC 3339 literal.
#[track_caller]
pub(super) fn at(raw: &str) -> DateTime<Utc> {
    raw.parse().must(raw)
}

/// The instant most checks treat as "now": far from the real clock, so nothing depends on it.
pub(super) fn base() -> DateTime<Utc> {
    at("2030-01-01T00:00:00.250001Z")
}

pub(super) fn minutes(n: i64) -> TimeDelta {
    TimeDelta::minutes(n)
}

#[track_caller]
pub(super) fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).must("date")
}

#[track_caller]
pub(super) fn username(raw: &str) -> Username {
    Username::parse(raw).must(raw)
}

#[track_caller]
pub(super) fn email(raw: &str) -> Email {
    Email::parse(raw).must(raw)
}

/// A new user named `{name}_{tag}` with every field set to something recognisable.
pub fn new_user(tag: &str, name: &str) -> NewUser {
    NewUser {
        public_id: PublicId::random(),
        username: username(&format!("{name}_{tag}")),
        email: email(&format!("{name}.{tag}@example.com")),
        password_hash: format!("hash-{name}-{tag}"),
        first_name: format!("First {name}"),
        last_name: "Lée".to_owned(),
        phone_number: "+1 555 0100".to_owned(),
        date_of_birth: Some(date(1990, 5, 17)),
        gender: "f".to_owned(),
        role: Role::from_store("client".to_owned()),
        is_active: true,
        is_email_verified: false,
        is_staff: true,
        is_superuser: false,
        date_joined: at("2029-12-31T23:59:59.999999Z"),
    }
}

pub(super) async fn user(store: &dyn Store, tag: &str, name: &str) -> User {
    store
        .create_user(new_user(tag, name))
        .await
        .must("create_user")
}

/// Starts a session for `user` at `now` that expires at `expires_at`.
pub async fn session(
    store: &dyn Store,
    user: UserId,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Session {
    store
        .start_session(
            NewSession {
                id: SessionId::random(),
                user_id: user,
                user_agent: "contract/1.0".to_owned(),
                ip: "192.0.2.1".to_owned(),
                now,
                expires_at,
            },
            None,
        )
        .await
        .must("start_session")
}

/// A session started at `base() - 1 min` that expires a day after `base()`.
pub(super) async fn live_session(store: &dyn Store, user: UserId) -> Session {
    session(
        store,
        user,
        base() - minutes(1),
        base() + TimeDelta::days(1),
    )
    .await
}

pub(super) async fn reread(store: &dyn Store, id: SessionId) -> Session {
    store.session(id).await.must("session").must("session")
}

/// The ids, sorted, for order-free comparison.
pub(super) fn sorted(mut ids: Vec<SessionId>) -> Vec<SessionId> {
    ids.sort();
    ids
}

/// A secret of `purpose` whose hash is `name`'s bytes (tag it to keep it unique), with no target.
pub(super) fn new_secret(
    purpose: Purpose,
    name: &str,
    created_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> NewSecret {
    NewSecret {
        purpose,
        hash: name.as_bytes().to_vec(),
        target: String::new(),
        created_at,
        expires_at,
    }
}

/// What the store must return for `new`, once stored as `id` for `user`.
pub(super) fn stored(id: SecretId, user: UserId, new: &NewSecret) -> SecretRecord {
    SecretRecord {
        id,
        user_id: user,
        purpose: new.purpose,
        hash: new.hash.clone(),
        target: new.target.clone(),
        attempts: 0,
        created_at: new.created_at,
        expires_at: new.expires_at,
    }
}

pub(super) fn new_job(kind: &str, payload: &str, run_at: DateTime<Utc>) -> NewJob {
    NewJob {
        kind: kind.to_owned(),
        payload: payload.to_owned(),
        run_at,
    }
}

/// Issues `secrets` for `user` with no cooldown in the way, and a throw-away job.
pub(super) async fn issue(store: &dyn Store, user: UserId, secrets: &[NewSecret]) {
    let since = secrets.iter().map(|s| s.created_at).max().must("a secret");
    let job = new_job("contract-issue", "{}", at("2999-01-01T00:00:00Z"));
    let issued = store.issue_secrets(user, secrets, job, since).await;
    assert!(issued.must("issue_secrets"), "issue_secrets refused");
}

/// The live secret of `purpose` whose hash is `name`'s bytes.
pub(super) async fn by_name(
    store: &dyn Store,
    purpose: Purpose,
    name: &str,
    now: DateTime<Utc>,
) -> Option<SecretRecord> {
    store
        .secret_by_hash(purpose, name.as_bytes(), now)
        .await
        .must("secret_by_hash")
}

/// Enqueues a marker job (due in 2999, which no check ever reaches) and returns its id: every
/// job enqueued later has a greater id. Jobs the trait does not hand back, such as the ones
/// `issue_secrets` queues, are found between two markers.
pub(super) async fn job_mark(store: &dyn Store) -> JobId {
    let mark = new_job("contract-mark", "", at("2999-01-01T00:00:00Z"));
    store.enqueue_job(mark).await.must("enqueue_job")
}

/// The jobs of `kind` enqueued since `mark`, oldest first.
pub(super) async fn jobs_since(store: &dyn Store, mark: JobId, kind: &str) -> Vec<JobRecord> {
    let end = job_mark(store).await;
    let mut found = Vec::new();
    for id in mark.0 + 1..end.0 {
        if let Some(job) = store.job(JobId(id)).await.must("job")
            && job.kind == kind
        {
            found.push(job);
        }
    }
    found
}
