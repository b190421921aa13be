//! Contract checks for redeeming one-time secrets: single use, activation, email change.

use chrono::TimeDelta;
use futures_util::future::join_all;

use super::support::{
    Must, base, by_name, issue, job_mark, jobs_since, minutes, new_job, new_secret, new_user, tag,
    user,
};
use crate::{Purpose, Redemption, SecretId, Store, StoreError};

pub(super) async fn redeem_is_single_use(store: &dyn Store) {
    let tag = tag();
    let ann = user(store, &tag, "ann").await;
    let t0 = base();
    let name = |n: &str| format!("{tag}-{n}");
    issue(
        store,
        ann.id,
        &[
            new_secret(Purpose::Login, &name("login"), t0, t0 + minutes(10)),
            new_secret(Purpose::ResetLink, &name("short"), t0, t0 + minutes(1)),
        ],
    )
    .await;
    let code = by_name(store, Purpose::Login, &name("login"), t0)
        .await
        .must("login");
    let short = by_name(store, Purpose::ResetLink, &name("short"), t0)
        .await
        .must("short");

    // Racing redemptions of one code: exactly one wins, the others lose with `NotFound`.
    let racers = (0..6).map(|_| store.redeem_secret(code.id, Redemption::Consume, t0));
    let results = join_all(racers).await;
    let won: Vec<_> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
    assert_eq!(won.len(), 1, "{results:?}");
    assert_eq!(won[0].user, ann);
    assert_eq!(won[0].revoked, vec![]);
    let lost = results
        .iter()
        .filter(|r| matches!(r, Err(StoreError::NotFound)));
    assert_eq!(lost.count(), 5, "{results:?}");
    let again = store.redeem_secret(code.id, Redemption::Consume, t0).await;
    assert!(matches!(again, Err(StoreError::NotFound)), "{again:?}");

    // Expired at `expires_at`, and a failed redemption changes nothing.
    let late = store
        .redeem_secret(short.id, Redemption::Activate, t0 + minutes(1))
        .await;
    assert!(matches!(late, Err(StoreError::NotFound)), "{late:?}");
    let early = TimeDelta::microseconds(1);
    let found = by_name(
        store,
        Purpose::ResetLink,
        &name("short"),
        t0 + minutes(1) - early,
    )
    .await;
    assert_eq!(found, Some(short));

    // A voided secret cannot be redeemed, nor one that never existed.
    issue(
        store,
        ann.id,
        &[new_secret(Purpose::Login, &name("a"), t0, t0 + minutes(10))],
    )
    .await;
    let voided = by_name(store, Purpose::Login, &name("a"), t0)
        .await
        .must("a");
    let newer = new_secret(
        Purpose::Login,
        &name("b"),
        t0 + minutes(1),
        t0 + minutes(10),
    );
    issue(store, ann.id, &[newer]).await;
    let result = store
        .redeem_secret(voided.id, Redemption::Consume, t0 + minutes(1))
        .await;
    assert!(matches!(result, Err(StoreError::NotFound)), "{result:?}");
    let result = store
        .redeem_secret(SecretId(i64::MAX), Redemption::Consume, t0)
        .await;
    assert!(matches!(result, Err(StoreError::NotFound)), "{result:?}");
}

pub(super) async fn redeem_activates(store: &dyn Store) {
    let tag = tag();
    let t0 = base();
    let mut new = new_user(&tag, "ann");
    new.is_active = false;
    let secret = new_secret(Purpose::Activation, &tag, t0, t0 + minutes(15));
    let ann = store
        .create_user_with_secret(new, secret, new_job("contract-activation", "{}", t0))
        .await
        .must("create_user_with_secret");
    assert_eq!((ann.is_active, ann.is_email_verified), (false, false));
    let code = by_name(store, Purpose::Activation, &tag, t0)
        .await
        .must("code");
    let redeemed = store.redeem_secret(code.id, Redemption::Activate, t0).await;
    let redeemed = redeemed.must("redeem_secret");
    let mut expected = ann.clone();
    (expected.is_active, expected.is_email_verified) = (true, true);
    assert_eq!(redeemed.user, expected);
    assert_eq!(
        store.user_by_id(ann.id).await.must("user_by_id"),
        Some(expected)
    );
}

pub(super) async fn redeem_change_email_is_all_or_nothing(store: &dyn Store) {
    let tag = tag();
    let ann = user(store, &tag, "ann").await;
    let bob = user(store, &tag, "bob").await;
    let t0 = base();
    let kind = format!("email-{tag}");
    // Bob's address in another case: taken, case-insensitively.
    let target = bob.email.to_uppercase();
    let mut secret = new_secret(Purpose::EmailChange, &tag, t0, t0 + minutes(30));
    secret.target.clone_from(&target);
    issue(store, ann.id, &[secret]).await;
    let code = by_name(store, Purpose::EmailChange, &tag, t0)
        .await
        .must("code");
    assert_eq!(code.target, target);

    let mark = job_mark(store).await;
    let change = || Redemption::ChangeEmail {
        notice: new_job(&kind, &ann.email, t0),
    };
    let result = store.redeem_secret(code.id, change(), t0).await;
    assert!(
        matches!(result, Err(StoreError::Conflict("email"))),
        "{result:?}"
    );
    assert_eq!(
        store.user_by_id(ann.id).await.must("user_by_id"),
        Some(ann.clone())
    );
    let live = store.live_secret(ann.id, Purpose::EmailChange, t0, 5).await;
    assert_eq!(
        live.must("live_secret"),
        Some(code.clone()),
        "the code outlives the conflict"
    );
    assert_eq!(jobs_since(store, mark, &kind).await, vec![]);

    // Codes and links sent to the old address before the change…
    let old_mail = [Purpose::Login, Purpose::PasswordReset, Purpose::ResetLink];
    for purpose in old_mail {
        let name = format!("{tag}-old-{}", purpose.as_str());
        issue(
            store,
            ann.id,
            &[new_secret(purpose, &name, t0, t0 + minutes(30))],
        )
        .await;
    }

    // Once the address is free, the same code goes through.
    store.delete_user(bob.id, t0).await.must("delete_user");
    let t1 = t0 + minutes(1);
    let mark = job_mark(store).await;
    let redeemed = store.redeem_secret(code.id, change(), t1).await;
    let redeemed = redeemed.must("redeem_secret");
    let mut expected = ann.clone();
    (expected.email, expected.is_email_verified) = (target.clone(), true);
    assert_eq!(redeemed.user, expected);
    assert_eq!(
        store.user_by_id(ann.id).await.must("user_by_id"),
        Some(expected)
    );
    let login = store.credentials_by_login(&target.to_lowercase()).await;
    assert_eq!(
        login.must("credentials_by_login").map(|c| c.user.id),
        Some(ann.id)
    );
    let notices: Vec<_> = jobs_since(store, mark, &kind)
        .await
        .into_iter()
        .map(|j| j.payload)
        .collect();
    assert_eq!(notices, std::slice::from_ref(&ann.email));
    let again = store.redeem_secret(code.id, change(), t1).await;
    assert!(matches!(again, Err(StoreError::NotFound)), "{again:?}");
    // …are void once it is done: the old mailbox can no longer take the account back.
    for purpose in old_mail {
        let live = store.live_secret(ann.id, purpose, t1, 5).await;
        assert_eq!(
            live.must("live_secret"),
            None,
            "{purpose:?} outlived the change"
        );
    }
}
