//! Contract checks for changing and deleting existing users.

use super::support::{
    Must, at, base, date, live_session, minutes, new_user, reread, session, tag, user, username,
};
use crate::{ProfilePatch, Role, Store, StoreError, UserId};

pub(super) async fn set_password_hash_keeps_sessions(store: &dyn Store) {
    let tag = tag();
    let ann = user(store, &tag, "ann").await;
    let live = live_session(store, ann.id).await;
    store
        .set_password_hash(ann.id, "upgraded")
        .await
        .must("set_password_hash");
    let credentials = store
        .credentials_by_id(ann.id)
        .await
        .must("credentials_by_id");
    assert_eq!(credentials.must("credentials").password_hash, "upgraded");
    assert_eq!(reread(store, live.id).await, live);
    let result = store.set_password_hash(UserId(i64::MAX), "x").await;
    assert!(matches!(result, Err(StoreError::NotFound)), "{result:?}");
}

pub(super) async fn update_profile_changes_only_given_fields(store: &dyn Store) {
    let tag = tag();
    let ann = user(store, &tag, "ann").await;
    let bob = user(store, &tag, "bob").await;

    let same = store.update_profile(ann.id, &ProfilePatch::default()).await;
    assert_eq!(same.must("empty update_profile"), ann);

    let patch = ProfilePatch {
        first_name: Some("Annie".to_owned()),
        date_of_birth: Some(None),
        ..ProfilePatch::default()
    };
    let updated = store
        .update_profile(ann.id, &patch)
        .await
        .must("update_profile");
    let mut expected = ann.clone();
    "Annie".clone_into(&mut expected.first_name);
    expected.date_of_birth = None;
    assert_eq!(updated, expected);

    let patch = ProfilePatch {
        username: Some(username(&ann.username.to_uppercase())),
        last_name: Some(String::new()),
        phone_number: Some("+44 20 7946 0000".to_owned()),
        date_of_birth: Some(Some(date(2000, 2, 29))),
        gender: Some("x".to_owned()),
        role: Some(Role::from_store("employee".to_owned())),
        ..ProfilePatch::default()
    };
    let updated = store
        .update_profile(ann.id, &patch)
        .await
        .must("update_profile");
    expected.username = ann.username.to_uppercase();
    expected.last_name = String::new();
    "+44 20 7946 0000".clone_into(&mut expected.phone_number);
    expected.date_of_birth = Some(date(2000, 2, 29));
    "x".clone_into(&mut expected.gender);
    expected.role = Role::from_store("employee".to_owned());
    assert_eq!(updated, expected);
    assert_eq!(
        store.user_by_id(ann.id).await.must("user_by_id"),
        Some(expected.clone())
    );

    // A taken username refuses the whole patch.
    let patch = ProfilePatch {
        username: Some(username(&bob.username.to_uppercase())),
        first_name: Some("Mallory".to_owned()),
        ..ProfilePatch::default()
    };
    let result = store.update_profile(ann.id, &patch).await;
    assert!(
        matches!(result, Err(StoreError::Conflict("username"))),
        "{result:?}"
    );
    assert_eq!(
        store.user_by_id(ann.id).await.must("user_by_id"),
        Some(expected)
    );

    let result = store.update_profile(UserId(i64::MAX), &patch).await;
    assert!(matches!(result, Err(StoreError::NotFound)), "{result:?}");
    let result = store
        .update_profile(UserId(i64::MAX), &ProfilePatch::default())
        .await;
    assert!(matches!(result, Err(StoreError::NotFound)), "{result:?}");
}

pub(super) async fn delete_user_returns_live_sessions_and_cascades(store: &dyn Store) {
    let tag = tag();
    let ann = user(store, &tag, "ann").await;
    let bob = user(store, &tag, "bob").await;
    let now = base();
    let live = session(store, ann.id, now - minutes(60), now + minutes(60)).await;
    let revoked = session(store, ann.id, now - minutes(60), now + minutes(60)).await;
    let revoke = store
        .revoke_session(revoked.id, ann.id, now - minutes(10))
        .await;
    assert!(revoke.must("revoke_session"));
    let expired = session(store, ann.id, now - minutes(120), now - minutes(60)).await;
    let ends_now = session(store, ann.id, now - minutes(120), now).await;
    let bobs = live_session(store, bob.id).await;

    let ids = store.delete_user(ann.id, now).await.must("delete_user");
    assert_eq!(ids, vec![live.id]);
    for id in [live.id, revoked.id, expired.id, ends_now.id] {
        assert_eq!(
            store.session(id).await.must("session"),
            None,
            "session {id} outlived its user"
        );
    }
    assert_eq!(store.user_by_id(ann.id).await.must("user_by_id"), None);
    assert!(
        store
            .credentials_by_login(&ann.username)
            .await
            .must("login")
            .is_none()
    );
    let again = store.delete_user(ann.id, now).await;
    assert!(matches!(again, Err(StoreError::NotFound)), "{again:?}");
    assert_eq!(reread(store, bobs.id).await, bobs);
    // The name is free again.
    let mut reborn = new_user(&tag, "ann");
    reborn.date_joined = at("2030-01-02T00:00:00Z");
    let reborn = store
        .create_user(reborn)
        .await
        .must("create_user after delete");
    assert_ne!(reborn.id, ann.id);
}
