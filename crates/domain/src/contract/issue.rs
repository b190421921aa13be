//! Contract checks for issuing secrets: voiding the older ones, the cooldown, and its races.

use chrono::TimeDelta;
use futures_util::future::join_all;

use super::support::{
    Must, base, by_name, issue, job_mark, jobs_since, minutes, new_job, new_secret, stored, tag,
    user,
};
use crate::{Purpose, Redemption, Store, StoreError, UserId};

pub(super) async fn issue_secrets_voids_older_and_honours_cooldown(store: &dyn Store) {
    let tag = tag();
    let ann = user(store, &tag, "ann").await;
    let bob = user(store, &tag, "bob").await;
    let t0 = base();
    let expires = t0 + TimeDelta::hours(1);
    let kind = format!("email-{tag}");
    let name = |n: &str| format!("{tag}-{n}");
    let secret = |purpose, n: &str, created_at| new_secret(purpose, &name(n), created_at, expires);
    issue(store, bob.id, &[secret(Purpose::Login, "bob", t0)]).await;

    let mark = job_mark(store).await;
    let c1 = secret(Purpose::Login, "c1", t0);
    let job = new_job(&kind, "c1", t0);
    let issued = store.issue_secrets(ann.id, std::slice::from_ref(&c1), job, t0 - minutes(1));
    assert!(issued.await.must("issue_secrets"));
    let p1 = [secret(Purpose::PasswordReset, "p1", t0)];
    let issued = store.issue_secrets(ann.id, &p1, new_job(&kind, "p1", t0), t0 - minutes(1));
    assert!(issued.await.must("issue_secrets of another purpose"));

    // Inside the cooldown (c1 is newer than `cooldown_since`): nothing is written.
    let t1 = t0 + TimeDelta::seconds(30);
    let c2 = [secret(Purpose::Login, "c2", t1)];
    let job = new_job(&kind, "refused", t1);
    let issued = store.issue_secrets(ann.id, &c2, job, t1 - minutes(1));
    assert!(!issued.await.must("issue_secrets in cooldown"));
    assert_eq!(by_name(store, Purpose::Login, &name("c2"), t1).await, None);
    let live = store.live_secret(ann.id, Purpose::Login, t1, 5).await;
    assert_eq!(live.must("live_secret").map(|s| s.hash), Some(c1.hash));

    // `cooldown_since` is exclusive; the new code voids c1 but not the reset code or bob's.
    let t2 = t0 + minutes(1);
    let c3 = secret(Purpose::Login, "c3", t2);
    let job = new_job(&kind, "c3", t2);
    let issued = store.issue_secrets(ann.id, std::slice::from_ref(&c3), job, t0);
    assert!(issued.await.must("issue_secrets at the cooldown's edge"));
    let live = store.live_secret(ann.id, Purpose::Login, t2, 5).await;
    let live = live.must("live_secret").must("live_secret");
    assert_eq!(live, stored(live.id, ann.id, &c3));
    assert_eq!(by_name(store, Purpose::Login, &name("c1"), t2).await, None);
    let p1 = by_name(store, Purpose::PasswordReset, &name("p1"), t2).await;
    assert!(p1.is_some(), "another purpose is not voided");
    let bobs = by_name(store, Purpose::Login, &name("bob"), t2).await;
    assert!(bobs.is_some(), "another user's code is not voided");

    let payloads: Vec<_> = jobs_since(store, mark, &kind).await;
    let payloads: Vec<_> = payloads.into_iter().map(|j| j.payload).collect();
    assert_eq!(payloads, ["c1", "p1", "c3"]);

    let orphan = [secret(Purpose::Login, "orphan", t0)];
    let job = new_job(&kind, "x", t0);
    let result = store
        .issue_secrets(UserId(i64::MAX), &orphan, job, t0)
        .await;
    assert!(matches!(result, Err(StoreError::NotFound)), "{result:?}");
}

pub(super) async fn issue_secrets_of_several_purposes(store: &dyn Store) {
    let tag = tag();
    let ann = user(store, &tag, "ann").await;
    let t0 = base();
    let expires = t0 + TimeDelta::hours(1);
    let kind = format!("email-{tag}");
    let name = |n: &str| format!("{tag}-{n}");
    let secret = |purpose, n: &str, created_at| new_secret(purpose, &name(n), created_at, expires);
    issue(store, ann.id, &[secret(Purpose::PasswordReset, "p1", t0)]).await;
    issue(store, ann.id, &[secret(Purpose::ResetLink, "l1", t0)]).await;

    // Each new secret voids the older ones of its own purpose.
    let mark = job_mark(store).await;
    let t1 = t0 + minutes(2);
    let both = [
        secret(Purpose::PasswordReset, "p2", t1),
        secret(Purpose::ResetLink, "l2", t1),
    ];
    let issued = store.issue_secrets(ann.id, &both, new_job(&kind, "both", t1), t0);
    assert!(issued.await.must("issue_secrets of two purposes"));
    for old in [(Purpose::PasswordReset, "p1"), (Purpose::ResetLink, "l1")] {
        assert_eq!(
            by_name(store, old.0, &name(old.1), t1).await,
            None,
            "{old:?}"
        );
    }
    let link = by_name(store, Purpose::ResetLink, &name("l2"), t1).await;
    assert_eq!(link.must("l2").created_at, t1);
    let p2 = by_name(store, Purpose::PasswordReset, &name("p2"), t1).await;
    let p2 = p2.must("p2");

    // The cooldown follows the first secret's purpose and counts used secrets too.
    let used = store.redeem_secret(p2.id, Redemption::Consume, t1).await;
    used.must("redeem_secret");
    let t2 = t1 + minutes(1);
    let p3 = [secret(Purpose::PasswordReset, "p3", t2)];
    let issued = store.issue_secrets(ann.id, &p3, new_job(&kind, "refused", t2), t1 - minutes(1));
    assert!(!issued.await.must("issue_secrets after a used secret"));
    let payloads: Vec<_> = jobs_since(store, mark, &kind).await;
    let payloads: Vec<_> = payloads.into_iter().map(|j| j.payload).collect();
    assert_eq!(payloads, ["both"]);
}

pub(super) async fn issue_secrets_race_has_one_winner(store: &dyn Store) {
    let tag = tag();
    let ann = user(store, &tag, "ann").await;
    let t0 = base();
    let kind = format!("email-{tag}");
    let mark = job_mark(store).await;
    let secrets: Vec<_> = (0..8)
        .map(|i| {
            [new_secret(
                Purpose::Login,
                &format!("{tag}-{i}"),
                t0,
                t0 + minutes(10),
            )]
        })
        .collect();
    let racers = secrets.iter().enumerate().map(|(i, secret)| {
        let job = new_job(&kind, &i.to_string(), t0);
        store.issue_secrets(ann.id, secret, job, t0 - minutes(1))
    });
    let results: Vec<_> = join_all(racers).await;
    let won = results.iter().filter(|r| matches!(r, Ok(true))).count();
    assert_eq!(won, 1, "{results:?}");
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    assert_eq!(jobs_since(store, mark, &kind).await.len(), 1);
}
