//! Contract checks for the password-reset redemptions: exchanging a code for a reset token, and
//! setting the new password.

use super::support::{
    Must, base, by_name, issue, job_mark, jobs_since, live_session, minutes, new_job, new_secret,
    reread, sorted, tag, user,
};
use crate::{Purpose, Redemption, Store};

pub(super) async fn redeem_exchange_replaces_older_tokens(store: &dyn Store) {
    let tag = tag();
    let ann = user(store, &tag, "ann").await;
    let t0 = base();
    let name = |n: &str| format!("{tag}-{n}");
    let ends = t0 + minutes(30);
    issue(
        store,
        ann.id,
        &[new_secret(Purpose::ResetToken, &name("old"), t0, ends)],
    )
    .await;
    issue(
        store,
        ann.id,
        &[new_secret(Purpose::PasswordReset, &name("code"), t0, ends)],
    )
    .await;
    let code = by_name(store, Purpose::PasswordReset, &name("code"), t0)
        .await
        .must("code");

    let t1 = t0 + minutes(1);
    let next = new_secret(Purpose::ResetToken, &name("new"), t1, t1 + minutes(10));
    let redeemed = store
        .redeem_secret(code.id, Redemption::Exchange { next }, t1)
        .await;
    assert_eq!(redeemed.must("redeem_secret").user, ann);
    let token = by_name(store, Purpose::ResetToken, &name("new"), t1)
        .await
        .must("new token");
    assert_eq!((token.user_id, token.created_at), (ann.id, t1));
    assert_eq!(
        by_name(store, Purpose::ResetToken, &name("old"), t1).await,
        None
    );
    assert_eq!(
        by_name(store, Purpose::PasswordReset, &name("code"), t1).await,
        None
    );
}

pub(super) async fn redeem_reset_password_revokes_and_voids(store: &dyn Store) {
    let tag = tag();
    let ann = user(store, &tag, "ann").await;
    let bob = user(store, &tag, "bob").await;
    let t0 = base();
    let name = |n: &str| format!("{tag}-{n}");
    let ends = t0 + minutes(30);
    let (first, second) = (
        live_session(store, ann.id).await,
        live_session(store, ann.id).await,
    );
    let old = live_session(store, ann.id).await;
    let revoke = store.revoke_session(old.id, ann.id, t0 - minutes(1)).await;
    assert!(revoke.must("revoke_session"));
    let bobs = live_session(store, bob.id).await;
    issue(
        store,
        ann.id,
        &[
            new_secret(Purpose::PasswordReset, &name("code"), t0, ends),
            new_secret(Purpose::ResetLink, &name("link"), t0, ends),
            new_secret(Purpose::ResetToken, &name("token"), t0, ends),
            new_secret(Purpose::Login, &name("login"), t0, ends),
            new_secret(Purpose::MfaChallenge, &name("mfa"), t0, ends),
        ],
    )
    .await;
    issue(
        store,
        bob.id,
        &[new_secret(Purpose::ResetLink, &name("bob"), t0, ends)],
    )
    .await;
    let token = by_name(store, Purpose::ResetToken, &name("token"), t0)
        .await
        .must("token");
    // Re-read: the sessions set `last_login`.
    let ann = store
        .user_by_id(ann.id)
        .await
        .must("user_by_id")
        .must("user");

    let kind = format!("email-{tag}");
    let mark = job_mark(store).await;
    let t1 = t0 + minutes(2);
    let effect = Redemption::ResetPassword {
        hash: "new-hash".to_owned(),
        notice: new_job(&kind, "password changed", t1),
    };
    let redeemed = store.redeem_secret(token.id, effect, t1).await;
    let redeemed = redeemed.must("redeem_secret");
    // Following the emailed link or code proves the address.
    let mut ann = ann;
    ann.is_email_verified = true;
    assert_eq!(redeemed.user, ann);
    assert_eq!(sorted(redeemed.revoked), sorted(vec![first.id, second.id]));
    for id in [first.id, second.id] {
        assert_eq!(reread(store, id).await.revoked_at, Some(t1));
    }
    assert_eq!(
        reread(store, old.id).await.revoked_at,
        Some(t0 - minutes(1))
    );
    assert_eq!(reread(store, bobs.id).await, bobs);
    let credentials = store
        .credentials_by_id(ann.id)
        .await
        .must("credentials_by_id");
    assert_eq!(credentials.must("credentials").password_hash, "new-hash");

    for (purpose, n) in [
        (Purpose::PasswordReset, "code"),
        (Purpose::ResetLink, "link"),
        (Purpose::ResetToken, "token"),
        (Purpose::MfaChallenge, "mfa"),
    ] {
        assert_eq!(by_name(store, purpose, &name(n), t1).await, None, "{n}");
    }
    assert!(
        by_name(store, Purpose::Login, &name("login"), t1)
            .await
            .is_some()
    );
    assert!(
        by_name(store, Purpose::ResetLink, &name("bob"), t1)
            .await
            .is_some()
    );
    let jobs = jobs_since(store, mark, &kind).await;
    let notices: Vec<_> = jobs
        .iter()
        .map(|j| (j.payload.as_str(), j.run_at))
        .collect();
    assert_eq!(notices, [("password changed", t1)]);
}
