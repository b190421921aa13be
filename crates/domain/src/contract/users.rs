//! Contract checks for creating and finding users.

use futures_util::future::join_all;

use super::support::{Must, email, new_user, tag, user, username};
use crate::{Store, StoreError, UserId};

pub(super) async fn ping_answers(store: &dyn Store) {
    store.ping().await.must("ping");
}

pub(super) async fn create_and_read_user(store: &dyn Store) {
    let tag = tag();
    let new = new_user(&tag, "ann");
    let ann = store.create_user(new.clone()).await.must("create_user");
    assert_eq!(ann.public_id, new.public_id);
    assert_eq!(ann.username, new.username.as_ref());
    assert_eq!(ann.email, new.email.as_ref());
    assert_eq!(
        (
            &ann.first_name,
            &ann.last_name,
            &ann.phone_number,
            &ann.gender
        ),
        (
            &new.first_name,
            &new.last_name,
            &new.phone_number,
            &new.gender
        )
    );
    assert_eq!(
        (ann.date_of_birth, &ann.role),
        (new.date_of_birth, &new.role)
    );
    assert_eq!(
        (
            ann.is_active,
            ann.is_email_verified,
            ann.is_staff,
            ann.is_superuser
        ),
        (true, false, true, false)
    );
    assert_eq!((ann.date_joined, ann.last_login), (new.date_joined, None));
    assert_eq!(
        store.user_by_id(ann.id).await.must("user_by_id"),
        Some(ann.clone())
    );
    let credentials = store
        .credentials_by_id(ann.id)
        .await
        .must("credentials_by_id");
    let credentials = credentials.must("credentials_by_id");
    assert_eq!(
        (credentials.user, credentials.password_hash),
        (ann.clone(), new.password_hash)
    );

    let mut other = new_user(&tag, "bob");
    other.is_active = false;
    other.is_email_verified = true;
    other.is_staff = false;
    other.is_superuser = true;
    other.date_of_birth = None;
    let bob = store.create_user(other).await.must("create_user");
    assert_ne!(bob.id, ann.id);
    assert_eq!(
        (
            bob.is_active,
            bob.is_email_verified,
            bob.is_staff,
            bob.is_superuser
        ),
        (false, true, false, true)
    );
    assert_eq!(bob.date_of_birth, None);
    assert_eq!(
        store.user_by_id(UserId(i64::MAX)).await.must("user_by_id"),
        None
    );
    let nobody = store
        .credentials_by_id(UserId(-1))
        .await
        .must("credentials_by_id");
    assert!(nobody.is_none());
}

pub(super) async fn create_user_conflicts_ignore_case(store: &dyn Store) {
    let tag = tag();
    let ann = user(store, &tag, "ann").await;

    let mut same_name = new_user(&tag, "bob");
    same_name.username = username(&ann.username.to_uppercase());
    let result = store.create_user(same_name).await;
    assert!(
        matches!(result, Err(StoreError::Conflict("username"))),
        "{result:?}"
    );

    let mut same_email = new_user(&tag, "cat");
    same_email.email = email(&ann.email.to_uppercase());
    let result = store.create_user(same_email).await;
    assert!(
        matches!(result, Err(StoreError::Conflict("email"))),
        "{result:?}"
    );

    let mut both = new_user(&tag, "dan");
    both.username = username(&ann.username);
    both.email = email(&ann.email);
    let result = store.create_user(both).await;
    assert!(
        matches!(result, Err(StoreError::Conflict("username" | "email"))),
        "{result:?}"
    );

    // Nothing of the refused users was kept, and the store still takes writes.
    for name in ["bob", "cat"] {
        let login = format!("{name}.{tag}@example.com");
        assert!(
            store
                .credentials_by_login(&login)
                .await
                .must("login")
                .is_none()
        );
    }
    user(store, &tag, "eve").await;
}

pub(super) async fn create_user_race_has_one_winner(store: &dyn Store) {
    let tag = tag();
    let same_name = (0..8).map(|i| {
        let mut new = new_user(&tag, &format!("n{i}"));
        let name = format!("racer_{tag}");
        new.username = username(&if i % 2 == 0 {
            name.to_uppercase()
        } else {
            name
        });
        store.create_user(new)
    });
    let results = join_all(same_name).await;
    assert_eq!(
        results.iter().filter(|r| r.is_ok()).count(),
        1,
        "{results:?}"
    );
    for result in results.iter().filter(|r| r.is_err()) {
        assert!(
            matches!(result, Err(StoreError::Conflict("username"))),
            "{result:?}"
        );
    }

    let same_email = (0..8).map(|i| {
        let mut new = new_user(&tag, &format!("e{i}"));
        let address = format!("racer.{tag}@example.com");
        new.email = email(&if i % 2 == 0 {
            address.to_uppercase()
        } else {
            address
        });
        store.create_user(new)
    });
    let results = join_all(same_email).await;
    assert_eq!(
        results.iter().filter(|r| r.is_ok()).count(),
        1,
        "{results:?}"
    );
    for result in results.iter().filter(|r| r.is_err()) {
        assert!(
            matches!(result, Err(StoreError::Conflict("email"))),
            "{result:?}"
        );
    }
}

pub(super) async fn login_prefers_username_over_email(store: &dyn Store) {
    let tag = tag();
    let shared = format!("pat.{tag}@example.com");
    // Bob is created first, so the username match does not win by being first in the table.
    let mut bob = new_user(&tag, "bob");
    bob.email = email(&shared);
    let bob = store.create_user(bob).await.must("create_user");
    let mut ann = new_user(&tag, "ann");
    ann.username = username(&shared);
    let ann = store.create_user(ann).await.must("create_user");

    let found = |login: String| async move {
        let credentials = store.credentials_by_login(&login).await.must("login");
        credentials.map(|c| (c.user.id, c.password_hash))
    };
    let ann_hash = format!("hash-ann-{tag}");
    let bob_hash = format!("hash-bob-{tag}");
    assert_eq!(
        found(shared.to_uppercase()).await,
        Some((ann.id, ann_hash.clone()))
    );
    assert_eq!(
        found(shared.clone()).await,
        Some((ann.id, ann_hash.clone()))
    );
    assert_eq!(
        found(ann.email.to_uppercase()).await,
        Some((ann.id, ann_hash))
    );
    assert_eq!(
        found(bob.username.to_uppercase()).await,
        Some((bob.id, bob_hash))
    );
    assert_eq!(found(format!("nobody_{tag}")).await, None);
    // Exact matches only: no prefixes, no LIKE wildcards.
    assert_eq!(found(format!("pat.{tag}")).await, None);
    assert_eq!(found(format!("ann%{tag}")).await, None);
    assert_eq!(found(String::new()).await, None);
}
