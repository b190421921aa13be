//! Contract checks for what a worker does with a claimed job: finish, retry, bury; and pruning.
//! Each works in a year of its own, as the claim checks do (see `jobs`).

use chrono::TimeDelta;

use super::jobs::{claim, enqueue, ids, micro, reread};
use super::support::{Must, at, minutes, tag};
use crate::{JobId, JobState, Store};

pub(super) async fn finish_job_scrubs_the_payload(store: &dyn Store) {
    let tag = tag();
    let start = at("2005-06-01T00:00:00Z");
    let (holder, other) = (format!("a-{tag}"), format!("b-{tag}"));
    let id = enqueue(store, &tag, "secret code 123456", start).await;
    assert_eq!(ids(&claim(store, &holder, start, 5).await), [id]);

    let finished = start + minutes(1);
    assert!(
        !store
            .finish_job(id, &other, finished)
            .await
            .must("finish_job by another")
    );
    assert!(
        store
            .finish_job(id, &holder, finished)
            .await
            .must("finish_job")
    );
    let done = reread(store, id).await;
    assert_eq!((done.state, done.payload.as_str()), (JobState::Done, ""));
    assert_eq!((done.finished_at, done.lease_until), (Some(finished), None));
    assert_eq!((done.attempts, done.run_at), (1, start));
    assert!(
        !store
            .finish_job(id, &holder, finished)
            .await
            .must("finish_job again")
    );
    assert!(
        !store
            .retry_job(id, &holder, "x", start)
            .await
            .must("retry_job of done")
    );
    assert!(
        !store
            .bury_job(id, &holder, "x", start)
            .await
            .must("bury_job of done")
    );
    assert_eq!(reread(store, id).await, done);
    assert_eq!(
        claim(store, &holder, start + TimeDelta::days(1), 5).await,
        vec![]
    );

    let unknown = JobId(i64::MAX);
    assert!(
        !store
            .finish_job(unknown, &holder, start)
            .await
            .must("finish_job unknown")
    );
    assert!(
        !store
            .retry_job(unknown, &holder, "x", start)
            .await
            .must("retry_job unknown")
    );
    assert!(
        !store
            .bury_job(unknown, &holder, "x", start)
            .await
            .must("bury_job unknown")
    );
}

pub(super) async fn retry_and_bury_move_jobs(store: &dyn Store) {
    let tag = tag();
    let start = at("2004-06-01T00:00:00Z");
    let (first, second) = (format!("a-{tag}"), format!("b-{tag}"));
    let id = enqueue(store, &tag, "keep me", start).await;
    assert_eq!(ids(&claim(store, &first, start, 5).await), [id]);

    // Retry: queued again for later, the error kept (cut to 2000 characters).
    let error = "é".repeat(2500);
    let later = start + minutes(10);
    let retry = store.retry_job(id, &second, &error, later).await;
    assert!(!retry.must("retry_job by another"));
    assert!(
        store
            .retry_job(id, &first, &error, later)
            .await
            .must("retry_job")
    );
    let queued = reread(store, id).await;
    assert_eq!((queued.state, queued.run_at), (JobState::Queued, later));
    assert_eq!((queued.attempts, queued.payload.as_str()), (1, "keep me"));
    assert_eq!((queued.lease_until, queued.locked_by.as_str()), (None, ""));
    assert_eq!(queued.last_error, "é".repeat(2000));
    let again = store.retry_job(id, &first, "x", later).await;
    assert!(!again.must("retry_job of a queued job"));
    assert_eq!(claim(store, &second, later - micro(), 5).await, vec![]);
    let reclaimed = claim(store, &second, later, 5).await;
    assert_eq!(ids(&reclaimed), [id]);
    assert_eq!(reclaimed[0].attempts, 2);
    assert_eq!(reclaimed[0].last_error, queued.last_error);

    // Bury: dead, the payload kept for a manual retry, never claimed again.
    let buried = later + minutes(1);
    let bury = store.bury_job(id, &first, "x", buried).await;
    assert!(!bury.must("bury_job by the old holder"));
    assert!(
        store
            .bury_job(id, &second, "gave up", buried)
            .await
            .must("bury_job")
    );
    let dead = reread(store, id).await;
    assert_eq!(
        (dead.state, dead.payload.as_str()),
        (JobState::Dead, "keep me")
    );
    assert_eq!(
        (dead.finished_at, dead.last_error.as_str()),
        (Some(buried), "gave up")
    );
    assert_eq!(dead.lease_until, None);
    assert_eq!(
        claim(store, &second, start + TimeDelta::days(1), 5).await,
        vec![]
    );
    assert!(
        !store
            .finish_job(id, &second, buried)
            .await
            .must("finish_job of dead")
    );
    assert!(
        !store
            .retry_job(id, &second, "x", buried)
            .await
            .must("retry_job of dead")
    );
}

pub(super) async fn prune_jobs_removes_old_done_ones(store: &dyn Store) {
    // 1997: no other check has jobs that were due, or finished, that long ago.
    let tag = tag();
    let worker = format!("p-{tag}");
    let before = at("1997-06-01T00:00:00Z");
    let day = TimeDelta::days(1);
    let old = enqueue(store, &tag, "old", before - day * 2).await;
    let edge = enqueue(store, &tag, "edge", before - day * 2).await;
    let dead = enqueue(store, &tag, "dead", before - day * 2).await;
    let queued = enqueue(store, &tag, "queued", at("2999-01-01T00:00:00Z")).await;
    let claimed = claim(store, &worker, before - day, 5).await;
    assert_eq!(ids(&claimed), [old, edge, dead]);
    let finish = store.finish_job(old, &worker, before - micro()).await;
    assert!(finish.must("finish_job"));
    assert!(
        store
            .finish_job(edge, &worker, before)
            .await
            .must("finish_job")
    );
    let bury = store.bury_job(dead, &worker, "x", before - day).await;
    assert!(bury.must("bury_job"));

    assert_eq!(store.prune_jobs(before).await.must("prune_jobs"), 1);
    assert_eq!(store.job(old).await.must("job"), None);
    assert_eq!(store.prune_jobs(before).await.must("prune_jobs"), 0);
    let pruned = store.prune_jobs(before + micro()).await;
    assert_eq!(pruned.must("prune_jobs"), 1);
    assert_eq!(store.job(edge).await.must("job"), None);
    assert_eq!(reread(store, dead).await.state, JobState::Dead);
    assert_eq!(reread(store, queued).await.state, JobState::Queued);
}
