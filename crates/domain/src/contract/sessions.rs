//! Contract checks for one session's life: start, refresh, revoke.

use chrono::{DateTime, TimeDelta, Utc};
use futures_util::future::join_all;

use super::support::{Must, base, live_session, minutes, reread, sorted, tag, user};
use crate::{
    Advance, AuditEvent, AuditQuery, NewAuditEntry, NewSession, SessionId, Store, StoreError,
    UserId,
};

pub(super) async fn start_session_records_login(store: &dyn Store) {
    let tag = tag();
    let ann = user(store, &tag, "ann").await;
    let now = base();
    let expires_at = now + TimeDelta::days(30);
    let new = NewSession {
        id: SessionId::random(),
        user_id: ann.id,
        user_agent: "Mozilla/5.0 (X11; Linux) ✓".to_owned(),
        ip: "2001:db8::1".to_owned(),
        now,
        expires_at,
    };
    let login = NewAuditEntry {
        event: AuditEvent::LoginSucceeded,
        actor: Some(ann.id),
        target: Some(ann.id),
        ip: new.ip.clone(),
        user_agent: new.user_agent.clone(),
        detail: format!(r#"{{"method":"password","session":"{}"}}"#, new.id.0),
        at: now,
    };
    let started = store
        .start_session(new.clone(), Some(&login))
        .await
        .must("start_session");
    assert_eq!(
        (started.id, started.user_id, started.counter),
        (new.id, ann.id, 0)
    );
    assert_eq!(
        (&started.user_agent, &started.ip),
        (&new.user_agent, &new.ip)
    );
    assert_eq!((started.created_at, started.last_used_at), (now, now));
    assert_eq!((started.rotated_at, started.revoked_at), (None, None));
    assert_eq!(started.expires_at, expires_at);
    assert_eq!(reread(store, new.id).await, started);
    let ann = store
        .user_by_id(ann.id)
        .await
        .must("user_by_id")
        .must("user");
    assert_eq!(ann.last_login, Some(now));
    let entries = |user| {
        let query = AuditQuery {
            user: Some(user),
            limit: 10,
            ..AuditQuery::default()
        };
        async move { store.audit_entries(&query).await.must("audit_entries") }
    };
    let recorded = entries(ann.id).await;
    assert_eq!(recorded.total, 1);
    assert_eq!(recorded.entries[0].entry, login, "the entry as given");

    // Without an entry, the session alone.
    let quiet = NewSession {
        id: SessionId::random(),
        ..new.clone()
    };
    store.start_session(quiet, None).await.must("start_session");
    assert_eq!(entries(ann.id).await.total, 1);

    // A session that cannot be stored takes its entry with it.
    let nobody = UserId(i64::MAX);
    let orphan = NewSession {
        id: SessionId::random(),
        user_id: nobody,
        ..new
    };
    let orphan_login = NewAuditEntry {
        actor: Some(nobody),
        target: Some(nobody),
        ..login
    };
    let result = store
        .start_session(orphan.clone(), Some(&orphan_login))
        .await;
    assert!(matches!(result, Err(StoreError::NotFound)), "{result:?}");
    assert_eq!(store.session(orphan.id).await.must("session"), None);
    assert_eq!(
        entries(nobody).await.total,
        0,
        "no entry without its session"
    );
}

/// One rotation on its own.
async fn advance(
    store: &dyn Store,
    id: SessionId,
    from: i64,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Option<UserId> {
    let step = Advance {
        id,
        from,
        now,
        expires_at,
    };
    let moved = store.advance_sessions(&[step]).await.must("advance");
    assert_eq!(moved.len(), 1, "one answer per step");
    moved[0]
}

pub(super) async fn advance_session_is_compare_and_set(store: &dyn Store) {
    let tag = tag();
    let ann = user(store, &tag, "ann").await;
    let started = live_session(store, ann.id).await;
    let (t1, e1) = (base() + minutes(1), base() + TimeDelta::days(2));

    assert_eq!(advance(store, started.id, 0, t1, e1).await, Some(ann.id));
    assert_eq!(advance(store, started.id, 0, t1, e1).await, None, "stale");
    assert_eq!(advance(store, started.id, 5, t1, e1).await, None, "future");
    let unknown = SessionId::random();
    assert_eq!(advance(store, unknown, 0, t1, e1).await, None, "unknown");
    let moved = reread(store, started.id).await;
    assert_eq!((moved.counter, moved.rotated_at), (1, Some(t1)));
    assert_eq!((moved.last_used_at, moved.expires_at), (t1, e1));
    assert_eq!(
        (moved.created_at, moved.revoked_at),
        (started.created_at, None)
    );

    // Racing refreshes of the same token: exactly one moves the counter.
    let t2 = t1 + minutes(1);
    let racers = (0..8).map(|_| {
        let step = Advance {
            id: started.id,
            from: 1,
            now: t2,
            expires_at: e1,
        };
        async move { store.advance_sessions(&[step]).await }
    });
    let results = join_all(racers).await;
    let won = results
        .iter()
        .filter(|r| matches!(r.as_deref(), Ok([Some(_)])))
        .count();
    assert_eq!(won, 1, "{results:?}");
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    assert_eq!(reread(store, started.id).await.counter, 2);

    // An expired session does not move, even at its current counter.
    assert_eq!(advance(store, started.id, 2, e1, e1).await, None, "expired");
    assert_eq!(reread(store, started.id).await.counter, 2);

    assert!(
        store
            .revoke_session(started.id, ann.id, t2)
            .await
            .must("revoke")
    );
    assert_eq!(advance(store, started.id, 2, t2, e1).await, None, "revoked");
    assert_eq!(reread(store, started.id).await.counter, 2);
}

pub(super) async fn advance_sessions_answers_each_step_in_order(store: &dyn Store) {
    let tag = tag();
    let ann = user(store, &tag, "ann").await;
    let bob = user(store, &tag, "bob").await;
    let (a1, a2, b1) = (
        live_session(store, ann.id).await,
        live_session(store, ann.id).await,
        live_session(store, bob.id).await,
    );
    let revoked = live_session(store, bob.id).await;
    assert!(
        store
            .revoke_session(revoked.id, bob.id, base())
            .await
            .must("revoke")
    );
    let (now, expires_at) = (base() + minutes(1), base() + TimeDelta::days(2));
    let step = |id, from| Advance {
        id,
        from,
        now,
        expires_at,
    };
    let steps = [
        step(b1.id, 0),
        step(a1.id, 3),
        step(a2.id, 0),
        step(SessionId::random(), 0),
        step(revoked.id, 0),
        step(a1.id, 0),
        step(b1.id, 0),
    ];
    let moved = store.advance_sessions(&steps).await.must("advance");
    assert_eq!(
        moved,
        [
            Some(bob.id),
            None,
            Some(ann.id),
            None,
            None,
            Some(ann.id),
            None
        ],
        "each step answered as if the steps ran in order"
    );
    for (session, counter) in [(a1.id, 1), (a2.id, 1), (b1.id, 1), (revoked.id, 0)] {
        assert_eq!(reread(store, session).await.counter, counter);
    }
    assert_eq!(
        store.advance_sessions(&[]).await.must("empty batch"),
        Vec::new()
    );
}

pub(super) async fn revoke_session_checks_owner(store: &dyn Store) {
    let tag = tag();
    let ann = user(store, &tag, "ann").await;
    let bob = user(store, &tag, "bob").await;
    let anns = live_session(store, ann.id).await;
    let now = base();

    assert!(
        !store
            .revoke_session(anns.id, bob.id, now)
            .await
            .must("revoke by other")
    );
    assert_eq!(reread(store, anns.id).await, anns);
    assert!(
        store
            .revoke_session(anns.id, ann.id, now)
            .await
            .must("revoke")
    );
    assert_eq!(reread(store, anns.id).await.revoked_at, Some(now));
    let later = now + minutes(5);
    assert!(
        !store
            .revoke_session(anns.id, ann.id, later)
            .await
            .must("revoke again")
    );
    assert_eq!(reread(store, anns.id).await.revoked_at, Some(now));
    let unknown = SessionId::random();
    assert!(
        !store
            .revoke_session(unknown, ann.id, now)
            .await
            .must("revoke unknown")
    );
}

pub(super) async fn revoke_user_sessions_keeps_one(store: &dyn Store) {
    let tag = tag();
    let ann = user(store, &tag, "ann").await;
    let bob = user(store, &tag, "bob").await;
    let now = base();
    let keep = live_session(store, ann.id).await;
    let second = live_session(store, ann.id).await;
    let third = live_session(store, ann.id).await;
    let old = live_session(store, ann.id).await;
    let earlier = now - minutes(30);
    assert!(
        store
            .revoke_session(old.id, ann.id, earlier)
            .await
            .must("revoke")
    );
    let bobs = live_session(store, bob.id).await;

    let revoked = store.revoke_user_sessions(ann.id, Some(keep.id), now).await;
    assert_eq!(
        sorted(revoked.must("revoke_user_sessions")),
        sorted(vec![second.id, third.id])
    );
    assert_eq!(reread(store, keep.id).await, keep);
    for id in [second.id, third.id] {
        assert_eq!(reread(store, id).await.revoked_at, Some(now));
    }
    assert_eq!(reread(store, old.id).await.revoked_at, Some(earlier));
    assert_eq!(reread(store, bobs.id).await, bobs);

    let later = now + minutes(1);
    let revoked = store.revoke_user_sessions(ann.id, None, later).await;
    assert_eq!(revoked.must("revoke_user_sessions"), vec![keep.id]);
    let revoked = store.revoke_user_sessions(ann.id, None, later).await;
    assert_eq!(revoked.must("revoke_user_sessions"), vec![]);
    assert_eq!(reread(store, bobs.id).await, bobs);
}
