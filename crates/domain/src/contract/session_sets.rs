//! Contract checks for calls over many sessions: password change, listings, pruning, and the
//! exactness of stored times.

use chrono::{TimeDelta, Utc};

use super::support::{
    Must, at, base, date, job_mark, jobs_since, live_session, minutes, new_job, new_user, reread,
    session, sorted, tag, user,
};
use crate::{SessionId, Store, StoreError, UserId};

pub(super) async fn change_password_is_atomic(store: &dyn Store) {
    let tag = tag();
    let ann = user(store, &tag, "ann").await;
    let bob = user(store, &tag, "bob").await;
    let now = base();
    let expires_at = now + TimeDelta::days(7);
    let keep = live_session(store, ann.id).await;
    let other = live_session(store, ann.id).await;
    let another = live_session(store, ann.id).await;
    let old = live_session(store, ann.id).await;
    let earlier = now - minutes(30);
    assert!(
        store
            .revoke_session(old.id, ann.id, earlier)
            .await
            .must("revoke")
    );
    let bobs = live_session(store, bob.id).await;
    let notice_kind = format!("notice-{tag}");
    let notice = new_job(&notice_kind, "{\"to\":\"ann\"}", at("2999-01-01T00:00:00Z"));
    let mark = job_mark(store).await;

    let revoked = store
        .change_password(ann.id, "new-hash", keep.id, now, expires_at, &notice)
        .await;
    assert_eq!(
        sorted(revoked.must("change_password")),
        sorted(vec![other.id, another.id])
    );
    let hash = |id| async move {
        let credentials = store.credentials_by_id(id).await.must("credentials_by_id");
        credentials.must("credentials").password_hash
    };
    assert_eq!(hash(ann.id).await, "new-hash");
    let kept = reread(store, keep.id).await;
    assert_eq!(
        (kept.counter, kept.rotated_at, kept.revoked_at),
        (1, Some(now), None)
    );
    assert_eq!((kept.last_used_at, kept.expires_at), (now, expires_at));
    for id in [other.id, another.id] {
        assert_eq!(reread(store, id).await.revoked_at, Some(now));
    }
    assert_eq!(reread(store, old.id).await.revoked_at, Some(earlier));
    assert_eq!(reread(store, bobs.id).await, bobs);
    let notices = jobs_since(store, mark, &notice_kind).await;
    assert_eq!(notices.len(), 1, "the notice is enqueued with the change");
    assert_eq!(notices[0].payload, notice.payload);

    let mark = job_mark(store).await;
    let missing = store
        .change_password(UserId(i64::MAX), "x", keep.id, now, expires_at, &notice)
        .await;
    assert!(matches!(missing, Err(StoreError::NotFound)), "{missing:?}");

    // A `keep` that is not a live session of the user changes nothing at all.
    let fresh = live_session(store, ann.id).await;
    for foreign in [bobs.id, old.id, SessionId::random()] {
        let result = store
            .change_password(ann.id, "evil", foreign, now, expires_at, &notice)
            .await;
        assert!(matches!(result, Err(StoreError::NotFound)), "{result:?}");
    }
    assert_eq!(hash(ann.id).await, "new-hash");
    assert_eq!(reread(store, fresh.id).await, fresh);
    assert_eq!(reread(store, bobs.id).await, bobs);
    assert!(
        jobs_since(store, mark, &notice_kind).await.is_empty(),
        "a refused change enqueues nothing"
    );
}

pub(super) async fn live_sessions_newest_first(store: &dyn Store) {
    let tag = tag();
    let ann = user(store, &tag, "ann").await;
    let bob = user(store, &tag, "bob").await;
    let now = base();
    let until = now + minutes(60);
    let oldest = session(store, ann.id, now - minutes(30), until).await;
    let newest = session(store, ann.id, now - minutes(10), until).await;
    let middle = session(store, ann.id, now - minutes(20), until).await;
    let revoked = session(store, ann.id, now - minutes(5), until).await;
    assert!(
        store
            .revoke_session(revoked.id, ann.id, now)
            .await
            .must("revoke")
    );
    session(store, ann.id, now - minutes(90), now - minutes(1)).await;
    session(store, ann.id, now - minutes(90), now).await;
    live_session(store, bob.id).await;

    let live = store.live_sessions(ann.id, now).await.must("live_sessions");
    assert_eq!(live, vec![newest, middle, oldest]);
    let nobody = store.live_sessions(UserId(i64::MAX), now).await;
    assert_eq!(nobody.must("live_sessions"), vec![]);
}

pub(super) async fn revoked_since_is_inclusive(store: &dyn Store) {
    let tag = tag();
    let ann = user(store, &tag, "ann").await;
    let since = base() + minutes(7);
    let mut ids = Vec::new();
    for revoked_at in [
        since - TimeDelta::microseconds(1),
        since,
        since + minutes(1),
    ] {
        let s = live_session(store, ann.id).await;
        assert!(
            store
                .revoke_session(s.id, ann.id, revoked_at)
                .await
                .must("revoke")
        );
        ids.push((s.id, revoked_at));
    }
    let live = live_session(store, ann.id).await;

    let all = store.revoked_since(since).await.must("revoked_since");
    let ours: Vec<_> = all
        .iter()
        .filter(|r| ids.iter().any(|(id, _)| *id == r.id) || r.id == live.id)
        .map(|r| (r.id, r.revoked_at))
        .collect();
    assert_eq!(sorted_pairs(ours), sorted_pairs(ids[1..].to_vec()));
    assert!(all.iter().all(|r| r.revoked_at >= since), "{all:?}");
}

fn sorted_pairs<T: Ord>(mut pairs: Vec<T>) -> Vec<T> {
    pairs.sort();
    pairs
}

pub(super) async fn prune_sessions_removes_dead_ones(store: &dyn Store) {
    // 1995: no other check has sessions that ended or were revoked that long ago.
    let tag = tag();
    let ann = user(store, &tag, "ann").await;
    let before = at("1995-06-01T00:00:00Z");
    let start = before - TimeDelta::days(30);
    let expired = session(store, ann.id, start, before - TimeDelta::microseconds(1)).await;
    let revoked = session(store, ann.id, start, before + TimeDelta::days(1)).await;
    assert!(
        store
            .revoke_session(revoked.id, ann.id, start)
            .await
            .must("revoke")
    );
    let ends_then = session(store, ann.id, start, before).await;
    let revoked_then = session(store, ann.id, start, before + TimeDelta::days(1)).await;
    assert!(
        store
            .revoke_session(revoked_then.id, ann.id, before)
            .await
            .must("revoke")
    );
    let live = session(store, ann.id, start, before + TimeDelta::days(1)).await;

    assert_eq!(store.prune_sessions(before).await.must("prune_sessions"), 2);
    for id in [expired.id, revoked.id] {
        assert_eq!(store.session(id).await.must("session"), None);
    }
    for kept in [ends_then, live] {
        assert_eq!(reread(store, kept.id).await, kept);
    }
    assert_eq!(
        reread(store, revoked_then.id).await.revoked_at,
        Some(before)
    );
    assert_eq!(store.prune_sessions(before).await.must("prune_sessions"), 0);
}

pub(super) async fn timestamps_round_trip_exactly(store: &dyn Store) {
    let tag = tag();
    let mut new = new_user(&tag, "ann");
    new.date_joined = at("1969-12-31T23:59:59.999999Z");
    new.date_of_birth = Some(date(1900, 1, 1));
    let ann = store.create_user(new.clone()).await.must("create_user");
    assert_eq!(
        (ann.date_joined, ann.date_of_birth),
        (new.date_joined, new.date_of_birth)
    );
    assert_eq!(
        store.user_by_id(ann.id).await.must("user_by_id"),
        Some(ann.clone())
    );

    // Below a microsecond is dropped on the way in, the same in every store.
    let fine = at("2030-06-15T12:34:56.123456789Z");
    let coarse = at("2030-06-15T12:34:56.123456Z");
    let mut new = new_user(&tag, "bob");
    new.date_joined = fine;
    let bob = store.create_user(new).await.must("create_user");
    assert_eq!(bob.date_joined, coarse);
    assert_eq!(
        store.user_by_id(bob.id).await.must("user_by_id"),
        Some(bob.clone())
    );

    let tick = TimeDelta::microseconds(1);
    let started = session(store, bob.id, fine, coarse + tick).await;
    assert_eq!(
        (started.created_at, started.expires_at),
        (coarse, coarse + tick)
    );
    assert_eq!(reread(store, started.id).await, started);
    // Comparisons are exact to the microsecond.
    let live = store
        .live_sessions(bob.id, coarse)
        .await
        .must("live_sessions");
    assert_eq!(live, vec![started.clone()]);
    let live = store
        .live_sessions(bob.id, coarse + tick)
        .await
        .must("live_sessions");
    assert_eq!(live, vec![]);

    let now = Utc::now();
    let current = session(store, bob.id, now, now + TimeDelta::days(1)).await;
    assert_eq!(reread(store, current.id).await, current);
    assert!(current.created_at <= now && now - current.created_at < tick);
}
