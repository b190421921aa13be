//! Contract checks for the TOTP second factor: enrolment and confirmation, single-use steps and
//! recovery codes, login challenges, disabling, and removal with the user.

use futures_util::future::join_all;

use super::support::{Must, base, by_name, minutes, new_secret, tag, user};
use crate::{MfaProof, Purpose, Store, StoreError, User, UserId};

fn hashes(tag: &str) -> Vec<Vec<u8>> {
    (0..3)
        .map(|i| format!("{tag}-rc{i}").into_bytes())
        .collect()
}

/// Whether the credential lookups say a confirmed TOTP guards `user`'s logins (both must agree).
async fn guarded(store: &dyn Store, user: &User) -> bool {
    let by_login = store.credentials_by_login(&user.username).await;
    let by_login = by_login.must("by login").must("found by login");
    let by_id = store.credentials_by_id(user.id).await;
    let by_id = by_id.must("by id").must("found by id");
    assert_eq!(
        by_login.second_factor, by_id.second_factor,
        "the lookups agree"
    );
    by_id.second_factor
}

pub(super) async fn totp_enrolment_is_replaced_until_confirmed(store: &dyn Store) {
    let tag = tag();
    let ann = user(store, &tag, "ann").await;
    let t0 = base();
    assert_eq!(store.totp(ann.id).await.must("totp"), None);
    assert!(!guarded(store, &ann).await, "no enrolment");
    assert!(store.enrol_totp(ann.id, b"first", t0).await.must("enrol"));
    assert!(
        store
            .enrol_totp(ann.id, b"second", t0 + minutes(1))
            .await
            .must("re-enrol")
    );
    let pending = store.totp(ann.id).await.must("totp").must("pending");
    assert_eq!(pending.sealed_secret, b"second");
    assert_eq!(pending.created_at, t0 + minutes(1));
    assert_eq!((pending.confirmed_at, pending.last_step), (None, -1));
    assert!(
        !guarded(store, &ann).await,
        "an unconfirmed enrolment guards nothing"
    );

    // The old secret's code no longer confirms; the current one does, once.
    let stale = store
        .confirm_totp(ann.id, b"first", 7, &hashes(&tag), t0)
        .await;
    assert!(!stale.must("confirm with the old secret"));
    let now = t0 + minutes(2);
    assert!(
        store
            .confirm_totp(ann.id, b"second", 7, &hashes(&tag), now)
            .await
            .must("confirm")
    );
    assert!(
        !store
            .confirm_totp(ann.id, b"second", 8, &hashes(&tag), now)
            .await
            .must("again")
    );
    let on = store.totp(ann.id).await.must("totp").must("confirmed");
    assert_eq!((on.confirmed_at, on.last_step), (Some(now), 7));
    assert!(guarded(store, &ann).await, "confirmed");
    let stored: Vec<_> = on.recovery_codes.iter().map(|c| c.hash.clone()).collect();
    assert_eq!(stored, hashes(&tag));

    // A confirmed secret is never replaced by a new enrolment.
    assert!(
        !store
            .enrol_totp(ann.id, b"third", now)
            .await
            .must("enrol when on")
    );
    assert_eq!(
        store
            .totp(ann.id)
            .await
            .must("totp")
            .must("on")
            .sealed_secret,
        b"second"
    );
    let nobody = store.enrol_totp(UserId(i64::MAX - 7), b"x", now).await;
    assert!(matches!(nobody, Err(StoreError::NotFound)), "{nobody:?}");
}

pub(super) async fn mfa_challenge_spends_steps_and_codes_once(store: &dyn Store) {
    let tag = tag();
    let ann = user(store, &tag, "ann").await;
    let t0 = base();
    store.enrol_totp(ann.id, b"s", t0).await.must("enrol");
    store
        .confirm_totp(ann.id, b"s", 10, &hashes(&tag), t0)
        .await
        .must("confirm");
    let name = |n: &str| format!("{tag}-{n}");
    let challenge = |n: &str| new_secret(Purpose::MfaChallenge, &name(n), t0, t0 + minutes(5));
    store
        .create_mfa_challenge(ann.id, &challenge("a"))
        .await
        .must("challenge a");
    let a = by_name(store, Purpose::MfaChallenge, &name("a"), t0)
        .await
        .must("a");

    // A step not after the last one is refused and changes nothing; the challenge lives on.
    assert!(
        !store
            .pass_mfa_challenge(a.id, MfaProof::Totp { step: 10 }, t0)
            .await
            .must("old")
    );
    assert!(
        by_name(store, Purpose::MfaChallenge, &name("a"), t0)
            .await
            .is_some()
    );
    // Racing passes with one new step: one wins, and the challenge is used up.
    let racers = (0..4).map(|_| store.pass_mfa_challenge(a.id, MfaProof::Totp { step: 11 }, t0));
    let results = join_all(racers).await;
    assert_eq!(
        results.iter().filter(|r| matches!(r, Ok(true))).count(),
        1,
        "{results:?}"
    );
    let again = store
        .pass_mfa_challenge(a.id, MfaProof::Totp { step: 12 }, t0)
        .await;
    assert!(matches!(again, Err(StoreError::NotFound)), "{again:?}");
    assert_eq!(
        store.totp(ann.id).await.must("totp").must("on").last_step,
        11
    );

    // A new challenge voids the older one; a recovery code is spent once.
    store
        .create_mfa_challenge(ann.id, &challenge("b"))
        .await
        .must("challenge b");
    store
        .create_mfa_challenge(ann.id, &challenge("c"))
        .await
        .must("challenge c");
    assert_eq!(
        by_name(store, Purpose::MfaChallenge, &name("b"), t0).await,
        None
    );
    let c = by_name(store, Purpose::MfaChallenge, &name("c"), t0)
        .await
        .must("c");
    let record = store.totp(ann.id).await.must("totp").must("on");
    let code = record.recovery_codes[0].id;
    assert!(
        store
            .pass_mfa_challenge(c.id, MfaProof::Recovery { id: code }, t0)
            .await
            .must("rc")
    );
    let left = store
        .totp(ann.id)
        .await
        .must("totp")
        .must("on")
        .recovery_codes;
    assert_eq!(left.len(), 2);
    store
        .create_mfa_challenge(ann.id, &challenge("d"))
        .await
        .must("challenge d");
    let d = by_name(store, Purpose::MfaChallenge, &name("d"), t0)
        .await
        .must("d");
    let reused = store
        .pass_mfa_challenge(d.id, MfaProof::Recovery { id: code }, t0)
        .await;
    assert!(!reused.must("a used recovery code"));
    // Expired at `expires_at`.
    let late = store
        .pass_mfa_challenge(d.id, MfaProof::Totp { step: 99 }, t0 + minutes(5))
        .await;
    assert!(matches!(late, Err(StoreError::NotFound)), "{late:?}");
    let login = new_secret(Purpose::Login, &name("e"), t0, t0 + minutes(5));
    let wrong = store.create_mfa_challenge(ann.id, &login).await;
    assert!(wrong.is_err(), "a challenge of another purpose is refused");
}

pub(super) async fn disable_totp_spends_the_proof_and_cascades(store: &dyn Store) {
    let tag = tag();
    let ann = user(store, &tag, "ann").await;
    let bob = user(store, &tag, "bob").await;
    let t0 = base();
    for who in [ann.id, bob.id] {
        store.enrol_totp(who, b"s", t0).await.must("enrol");
        store
            .confirm_totp(who, b"s", 5, &hashes(&tag), t0)
            .await
            .must("confirm");
    }
    let old = store
        .disable_totp(ann.id, MfaProof::Totp { step: 5 }, t0)
        .await;
    assert!(!old.must("disable with a used step"));
    assert!(
        store
            .totp(ann.id)
            .await
            .must("totp")
            .must("still on")
            .is_confirmed()
    );
    // Bob's recovery code is not Ann's.
    let bobs = store
        .totp(bob.id)
        .await
        .must("totp")
        .must("bob")
        .recovery_codes[0]
        .id;
    let foreign = store
        .disable_totp(ann.id, MfaProof::Recovery { id: bobs }, t0)
        .await;
    assert!(!foreign.must("disable with another user's code"));
    assert!(
        store
            .disable_totp(ann.id, MfaProof::Totp { step: 6 }, t0)
            .await
            .must("disable")
    );
    assert_eq!(store.totp(ann.id).await.must("totp"), None);
    assert!(!guarded(store, &ann).await, "disabled");
    assert!(guarded(store, &bob).await, "bob's is still on");
    let off = store
        .disable_totp(ann.id, MfaProof::Totp { step: 7 }, t0)
        .await;
    assert!(!off.must("disable when off"));

    store.delete_user(bob.id, t0).await.must("delete bob");
    assert_eq!(store.totp(bob.id).await.must("totp"), None);
}
