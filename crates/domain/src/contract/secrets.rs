//! Contract checks for creating users with a secret, and for finding, failing and pruning
//! secrets.

use chrono::TimeDelta;

use super::support::{
    Must, at, base, by_name, issue, job_mark, jobs_since, minutes, new_job, new_secret, new_user,
    stored, tag, user,
};
use crate::{JobState, Purpose, Redemption, SecretId, Store, StoreError};

pub(super) async fn create_user_with_secret_writes_all_three(store: &dyn Store) {
    let tag = tag();
    let now = base();
    let mut new = new_user(&tag, "ann");
    new.is_active = false;
    let secret = new_secret(Purpose::Activation, &tag, now, now + minutes(15));
    let kind = format!("email-{tag}");
    let job = new_job(&kind, r#"{"to":"ann","code":"012345"}"#, now);
    let mark = job_mark(store).await;
    let ann = store
        .create_user_with_secret(new.clone(), secret.clone(), job.clone())
        .await
        .must("create_user_with_secret");
    assert_eq!(
        (ann.username.as_str(), ann.is_active),
        (new.username.as_ref(), false)
    );
    assert_eq!(
        store.user_by_id(ann.id).await.must("user_by_id"),
        Some(ann.clone())
    );

    let live = store.live_secret(ann.id, Purpose::Activation, now, 5).await;
    let live = live.must("live_secret").must("live_secret");
    assert_eq!(live, stored(live.id, ann.id, &secret));
    assert_eq!(
        by_name(store, Purpose::Activation, &tag, now).await,
        Some(live)
    );

    let jobs = jobs_since(store, mark, &kind).await;
    assert_eq!(jobs.len(), 1, "{jobs:?}");
    let queued = &jobs[0];
    assert_eq!((&queued.payload, queued.run_at), (&job.payload, job.run_at));
    assert_eq!((queued.state, queued.attempts), (JobState::Queued, 0));
    assert_eq!((queued.lease_until, queued.finished_at), (None, None));
    assert_eq!(
        (queued.locked_by.as_str(), queued.last_error.as_str()),
        ("", "")
    );
}

pub(super) async fn create_user_with_secret_rolls_back(store: &dyn Store) {
    let tag = tag();
    let now = base();
    let ann = user(store, &tag, "ann").await;
    let kind = format!("email-{tag}");
    let mark = job_mark(store).await;

    // The username is taken (in another case); the email is new.
    let mut clash = new_user(&tag, "bob");
    clash.username = super::support::username(&ann.username.to_uppercase());
    let secret = new_secret(
        Purpose::Activation,
        &format!("{tag}-u"),
        now,
        now + minutes(15),
    );
    let result = store
        .create_user_with_secret(clash.clone(), secret, new_job(&kind, "{}", now))
        .await;
    assert!(
        matches!(result, Err(StoreError::Conflict("username"))),
        "{result:?}"
    );
    let found = store.credentials_by_login(clash.email.as_ref()).await;
    assert!(found.must("credentials_by_login").is_none());
    assert_eq!(
        by_name(store, Purpose::Activation, &format!("{tag}-u"), now).await,
        None
    );

    // The email is taken; the username is new.
    let mut clash = new_user(&tag, "cy");
    clash.email = super::support::email(&ann.email.to_uppercase());
    let secret = new_secret(
        Purpose::Activation,
        &format!("{tag}-e"),
        now,
        now + minutes(15),
    );
    let result = store
        .create_user_with_secret(clash.clone(), secret, new_job(&kind, "{}", now))
        .await;
    assert!(
        matches!(result, Err(StoreError::Conflict("email"))),
        "{result:?}"
    );
    let found = store.credentials_by_login(clash.username.as_ref()).await;
    assert!(found.must("credentials_by_login").is_none());
    assert_eq!(
        by_name(store, Purpose::Activation, &format!("{tag}-e"), now).await,
        None
    );

    assert_eq!(jobs_since(store, mark, &kind).await, vec![]);
}

pub(super) async fn live_secret_respects_attempts_expiry_and_use(store: &dyn Store) {
    let tag = tag();
    let ann = user(store, &tag, "ann").await;
    let t0 = base();
    let ends = t0 + minutes(10);
    issue(store, ann.id, &[new_secret(Purpose::Login, &tag, t0, ends)]).await;
    let live = |now, max| store.live_secret(ann.id, Purpose::Login, now, max);

    let found = live(ends - TimeDelta::microseconds(1), 3)
        .await
        .must("live_secret");
    let code = found.must("live just before expiry");
    assert_eq!(
        live(ends, 3).await.must("live_secret"),
        None,
        "expired at expires_at"
    );
    assert_eq!(by_name(store, Purpose::Login, &tag, ends).await, None);
    assert_eq!(by_name(store, Purpose::EmailChange, &tag, t0).await, None);

    store.fail_secret(code.id).await.must("fail_secret");
    store.fail_secret(code.id).await.must("fail_secret");
    let found = live(t0, 3)
        .await
        .must("live_secret")
        .must("live after 2 failures");
    assert_eq!((found.id, found.attempts), (code.id, 2));
    store.fail_secret(code.id).await.must("fail_secret");
    assert_eq!(
        live(t0, 3).await.must("live_secret"),
        None,
        "dead at max_attempts"
    );
    let found = live(t0, 4)
        .await
        .must("live_secret")
        .must("live below a higher limit");
    assert_eq!(found.attempts, 3);
    let result = store.fail_secret(SecretId(i64::MAX)).await;
    assert!(matches!(result, Err(StoreError::NotFound)), "{result:?}");

    let used = store.redeem_secret(code.id, Redemption::Consume, t0).await;
    used.must("redeem_secret");
    assert_eq!(live(t0, 4).await.must("live_secret"), None, "used");
    assert_eq!(by_name(store, Purpose::Login, &tag, t0).await, None);
}

pub(super) async fn prune_secrets_removes_spent_ones(store: &dyn Store) {
    // 1996: no other check has secrets that ended that long ago.
    let tag = tag();
    let ann = user(store, &tag, "ann").await;
    let before = at("1996-06-01T00:00:00Z");
    let (start, later) = (before - TimeDelta::days(30), before + TimeDelta::days(1));
    let name = |n: &str| format!("{tag}-{n}");
    let tick = TimeDelta::microseconds(1);
    issue(
        store,
        ann.id,
        &[
            new_secret(Purpose::Login, &name("expired"), start, before - tick),
            new_secret(Purpose::Activation, &name("used"), start, later),
            new_secret(Purpose::PasswordReset, &name("voided"), start, later),
            new_secret(Purpose::ResetLink, &name("ends-then"), start, before),
            new_secret(Purpose::EmailChange, &name("used-then"), start, later),
        ],
    )
    .await;
    let used = by_name(store, Purpose::Activation, &name("used"), start).await;
    let spent = store.redeem_secret(used.must("used").id, Redemption::Consume, before - tick);
    spent.await.must("redeem_secret");
    let used_then = by_name(store, Purpose::EmailChange, &name("used-then"), start).await;
    let spent = store.redeem_secret(used_then.must("used-then").id, Redemption::Consume, before);
    spent.await.must("redeem_secret");
    let replacement = new_secret(Purpose::PasswordReset, &name("live"), before - tick, later);
    issue(store, ann.id, &[replacement]).await;

    assert_eq!(store.prune_secrets(before).await.must("prune_secrets"), 3);
    assert_eq!(store.prune_secrets(before).await.must("prune_secrets"), 0);
    assert!(
        by_name(store, Purpose::ResetLink, &name("ends-then"), start)
            .await
            .is_some()
    );
    assert_eq!(
        store
            .prune_secrets(before + tick)
            .await
            .must("prune_secrets"),
        2
    );
    let live = by_name(store, Purpose::PasswordReset, &name("live"), before).await;
    assert_eq!(live.must("live secret").purpose, Purpose::PasswordReset);
}
