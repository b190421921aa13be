//! Contract checks for the job queue: enqueueing, and claiming under a lease.
//!
//! Claims see every job in the store, so each job check works in a year of its own, earlier than
//! the one before it in `CHECKS` and long before the jobs other checks queue (2030, and the
//! markers in 2999): nothing a check leaves behind is ever due for a later one.

use chrono::{DateTime, TimeDelta, Utc};
use futures_util::future::join_all;

use super::support::{Must, at, minutes, new_job, tag};
use crate::{JobId, JobRecord, JobState, Store};

pub(super) fn micro() -> TimeDelta {
    TimeDelta::microseconds(1)
}

pub(super) async fn enqueue(
    store: &dyn Store,
    kind: &str,
    payload: &str,
    run_at: DateTime<Utc>,
) -> JobId {
    let job = new_job(kind, payload, run_at);
    store.enqueue_job(job).await.must("enqueue_job")
}

pub(super) async fn reread(store: &dyn Store, id: JobId) -> JobRecord {
    store.job(id).await.must("job").must("job")
}

pub(super) async fn claim(
    store: &dyn Store,
    worker: &str,
    now: DateTime<Utc>,
    limit: u32,
) -> Vec<JobRecord> {
    let claimed = store.claim_jobs(worker, now, now + minutes(5), limit).await;
    claimed.must("claim_jobs")
}

pub(super) fn ids(jobs: &[JobRecord]) -> Vec<JobId> {
    jobs.iter().map(|j| j.id).collect()
}

pub(super) async fn enqueue_job_stores_it_queued(store: &dyn Store) {
    let tag = tag();
    let run_at = at("2009-06-01T00:00:00.000001Z");
    let payload = r#"{"to":"ann@example.com","subject":"Grüße"}"#;
    let id = enqueue(store, &tag, payload, run_at).await;
    let job = reread(store, id).await;
    assert_eq!(
        (job.id, job.kind.as_str(), job.payload.as_str()),
        (id, tag.as_str(), payload)
    );
    assert_eq!(
        (job.state, job.attempts, job.run_at),
        (JobState::Queued, 0, run_at)
    );
    assert_eq!((job.lease_until, job.finished_at), (None, None));
    assert_eq!((job.locked_by.as_str(), job.last_error.as_str()), ("", ""));
    let next = enqueue(store, &tag, payload, run_at).await;
    assert!(next > id, "ids grow: {next:?} after {id:?}");
    assert_eq!(store.job(JobId(i64::MAX)).await.must("job"), None);
}

pub(super) async fn claim_jobs_takes_due_jobs_oldest_first(store: &dyn Store) {
    let tag = tag();
    let t = at("2008-06-01T00:00:00Z");
    let (a, b) = (format!("a-{tag}"), format!("b-{tag}"));
    // Enqueued out of order: the claim orders by `run_at`, then id.
    let j4 = enqueue(store, &tag, "4", t).await;
    let j2 = enqueue(store, &tag, "2", t - minutes(1)).await;
    let j3 = enqueue(store, &tag, "3", t - minutes(1)).await;
    let j1 = enqueue(store, &tag, "1", t - minutes(2)).await;
    let j5 = enqueue(store, &tag, "5", t + micro()).await;

    let first = claim(store, &a, t, 2).await;
    assert_eq!(ids(&first), [j1, j2]);
    for job in &first {
        assert_eq!((job.state, job.attempts), (JobState::Running, 1));
        assert_eq!(
            (job.locked_by.as_str(), job.lease_until),
            (a.as_str(), Some(t + minutes(5)))
        );
        assert_eq!((job.kind.as_str(), job.finished_at), (tag.as_str(), None));
        assert_eq!(&reread(store, job.id).await, job);
    }
    assert_eq!(first[0].payload, "1");
    assert_eq!(first[0].run_at, t - minutes(2));

    let second = claim(store, &b, t, 10).await;
    assert_eq!(ids(&second), [j3, j4]);
    assert!(second.iter().all(|j| j.locked_by == b));
    assert_eq!(claim(store, &b, t, 10).await, vec![]);
    assert_eq!(claim(store, &b, t + micro(), 0).await, vec![]);
    assert_eq!(ids(&claim(store, &b, t + micro(), 10).await), [j5]);

    for (id, worker) in [(j1, &a), (j2, &a), (j3, &b), (j4, &b), (j5, &b)] {
        assert!(store.finish_job(id, worker, t).await.must("finish_job"));
    }
}

pub(super) async fn claim_jobs_never_hands_out_a_job_twice(store: &dyn Store) {
    let tag = tag();
    let t = at("2007-06-01T00:00:00Z");
    let mut queued = Vec::new();
    for i in 0..50 {
        let run_at = t - minutes(1) + TimeDelta::microseconds(i % 7);
        queued.push(enqueue(store, &tag, &i.to_string(), run_at).await);
    }
    let workers: Vec<String> = (0..4).map(|i| format!("w{i}-{tag}")).collect();
    let claimers = workers.iter().map(|worker| async move {
        let mut mine = Vec::new();
        loop {
            let claimed = claim(store, worker, t, 2).await;
            if claimed.is_empty() {
                return mine;
            }
            assert!(
                claimed
                    .iter()
                    .all(|j| j.locked_by == *worker && j.attempts == 1),
                "{claimed:?}"
            );
            mine.extend(claimed);
        }
    });
    let claimed: Vec<Vec<JobRecord>> = join_all(claimers).await;

    let mut all: Vec<JobId> = claimed.iter().flat_map(|jobs| ids(jobs)).collect();
    all.sort();
    queued.sort();
    assert_eq!(all, queued, "every job claimed exactly once");
    for (worker, jobs) in workers.iter().zip(&claimed) {
        for job in jobs {
            assert!(store.finish_job(job.id, worker, t).await.must("finish_job"));
        }
    }
}

pub(super) async fn expired_lease_is_reclaimed(store: &dyn Store) {
    let tag = tag();
    let t = at("2006-06-01T00:00:00Z");
    let (a, b) = (format!("a-{tag}"), format!("b-{tag}"));
    let id = enqueue(store, &tag, "payload", t).await;
    let claimed = store.claim_jobs(&a, t, t + minutes(1), 5).await;
    assert_eq!(ids(&claimed.must("claim_jobs")), [id]);

    let during = store
        .claim_jobs(&b, t + TimeDelta::seconds(30), t + minutes(5), 5)
        .await;
    assert_eq!(during.must("claim_jobs"), vec![], "the lease still holds");
    let at_end = store
        .claim_jobs(&b, t + minutes(1), t + minutes(5), 5)
        .await;
    assert_eq!(
        at_end.must("claim_jobs"),
        vec![],
        "a lease holds until it has passed"
    );
    let after = t + minutes(1) + micro();
    let taken = store.claim_jobs(&b, after, after + minutes(5), 5).await;
    let taken = taken.must("claim_jobs");
    assert_eq!(ids(&taken), [id]);
    assert_eq!(
        (taken[0].locked_by.as_str(), taken[0].attempts),
        (b.as_str(), 2)
    );
    assert_eq!(taken[0].lease_until, Some(after + minutes(5)));

    // The first worker lost it: nothing it does lands.
    assert!(!store.finish_job(id, &a, after).await.must("finish_job"));
    assert!(
        !store
            .retry_job(id, &a, "late", after)
            .await
            .must("retry_job")
    );
    assert!(!store.bury_job(id, &a, "late", after).await.must("bury_job"));
    assert_eq!(reread(store, id).await, taken[0]);
    assert!(store.finish_job(id, &b, after).await.must("finish_job"));
    let done = reread(store, id).await;
    assert_eq!((done.state, done.attempts), (JobState::Done, 2));
    assert!(
        !store
            .finish_job(id, &b, after)
            .await
            .must("finish_job again")
    );
}
