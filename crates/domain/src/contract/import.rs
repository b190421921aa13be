//! Contract checks for importing users: insert, re-run update, conflicts, no duplicates.

use futures_util::future::join_all;

use super::support::{Must, at, base, date, email, tag, user, username};
use crate::{ImportKey, ImportOutcome, ImportedUser, Role, Store, StoreError, UserId};

const DJANGO_HASH: &str = "pbkdf2_sha256$1000000$salt$aGFzaA==";
const GATEHOUSE_HASH: &str = "$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2g";

/// A user of source row `pk`, named `{name}_{tag}`, with every optional field given.
fn imported(tag: &str, name: &str, pk: &str) -> ImportedUser {
    ImportedUser {
        key: ImportKey::new(&format!("contract{tag}"), "auth_user", pk).must("import key"),
        wanted_id: None,
        username: username(&format!("{name}_{tag}")),
        email: email(&format!("{name}.{tag}@example.com")),
        password_hash: DJANGO_HASH.to_owned(),
        role: Some(Role::from_store("employee".to_owned())),
        default_role: Role::from_store("client".to_owned()),
        first_name: Some("Ann".to_owned()),
        last_name: Some("Lée".to_owned()),
        phone_number: Some("+1 555 0100".to_owned()),
        date_of_birth: Some(Some(date(1990, 5, 17))),
        gender: Some("f".to_owned()),
        is_active: Some(true),
        is_email_verified: Some(true),
        is_staff: Some(true),
        is_superuser: Some(false),
        date_joined: Some(at("2020-02-29T12:00:00.123456Z")),
        last_login: Some(at("2021-01-01T00:00:00Z")),
        imported_at: base(),
    }
}

fn created(outcome: ImportOutcome) -> UserId {
    match outcome {
        ImportOutcome::Created(id) => id,
        other @ ImportOutcome::Updated { .. } => panic!("expected Created, got {other:?}"),
    }
}

pub(super) async fn import_creates_then_updates_the_same_account(store: &dyn Store) {
    let tag = tag();
    let first = imported(&tag, "ann", "1");
    let id = created(store.import_user(first.clone(), false).await.must("import"));
    let ann = store.credentials_by_id(id).await.must("read").must("read");
    assert_eq!(ann.password_hash, DJANGO_HASH);
    let user = ann.user;
    assert_eq!(
        (user.username.as_str(), user.email.as_str()),
        (first.username.as_ref(), first.email.as_ref())
    );
    assert_eq!(
        (
            user.first_name.as_str(),
            user.last_name.as_str(),
            user.gender.as_str()
        ),
        ("Ann", "Lée", "f")
    );
    assert_eq!(
        (user.role.as_ref(), user.date_of_birth),
        ("employee", Some(date(1990, 5, 17)))
    );
    assert_eq!(
        (
            user.is_active,
            user.is_email_verified,
            user.is_staff,
            user.is_superuser
        ),
        (true, true, true, false)
    );
    assert_eq!(
        (user.date_joined, user.last_login),
        (first.date_joined.must("joined"), first.last_login)
    );

    // The source changed: a re-run updates the one account, password included.
    let mut again = imported(&tag, "ann", "1");
    again.username = username(&format!("anna_{tag}"));
    again.first_name = Some("Anna".to_owned());
    again.is_staff = Some(false);
    again.password_hash = String::from("pbkdf2_sha256$1000000$other$b3RoZXI=");
    let outcome = store
        .import_user(again.clone(), false)
        .await
        .must("re-import");
    assert_eq!(
        outcome,
        ImportOutcome::Updated {
            id,
            kept_gatehouse_password: false
        }
    );
    let anna = store.credentials_by_id(id).await.must("read").must("read");
    assert_eq!(anna.password_hash, again.password_hash);
    assert_eq!(
        (
            anna.user.username.as_str(),
            anna.user.first_name.as_str(),
            anna.user.is_staff
        ),
        (again.username.as_ref(), "Anna", false)
    );
    assert_eq!(anna.user.public_id, user.public_id);
    // The old username is free again, and the email still finds the one account.
    let old = store
        .credentials_by_login(first.username.as_ref())
        .await
        .must("login");
    assert!(old.is_none());
    let by_email = store
        .credentials_by_login(again.email.as_ref())
        .await
        .must("login");
    assert_eq!(by_email.map(|c| c.user.id), Some(id));

    // The same row from another source is another account.
    let mut elsewhere = imported(&tag, "bob", "1");
    elsewhere.key = ImportKey::new(&format!("other{tag}"), "auth_user", "1").must("key");
    assert_ne!(
        created(store.import_user(elsewhere, false).await.must("import")),
        id
    );
}

pub(super) async fn import_keeps_a_password_set_in_gatehouse(store: &dyn Store) {
    let tag = tag();
    let id = created(
        store
            .import_user(imported(&tag, "ann", "1"), false)
            .await
            .must("import"),
    );
    let same = store
        .import_user(imported(&tag, "ann", "1"), false)
        .await
        .must("re-import");
    assert_eq!(
        same,
        ImportOutcome::Updated {
            id,
            kept_gatehouse_password: false
        }
    );

    store
        .set_password_hash(id, GATEHOUSE_HASH)
        .await
        .must("upgrade");
    let mut changed = imported(&tag, "ann", "1");
    changed.password_hash = String::from("pbkdf2_sha256$1000000$new$bmV3");
    let outcome = store.import_user(changed, false).await.must("re-import");
    assert_eq!(
        outcome,
        ImportOutcome::Updated {
            id,
            kept_gatehouse_password: true
        }
    );
    let stored = store.credentials_by_id(id).await.must("read").must("read");
    assert_eq!(stored.password_hash, GATEHOUSE_HASH);
}

pub(super) async fn import_leaves_unknown_fields_and_later_logins_alone(store: &dyn Store) {
    let tag = tag();
    let id = created(
        store
            .import_user(imported(&tag, "ann", "1"), false)
            .await
            .must("import"),
    );
    let mut sparse = imported(&tag, "ann", "1");
    (sparse.first_name, sparse.phone_number, sparse.date_of_birth) = (None, None, None);
    (sparse.role, sparse.is_active, sparse.date_joined) = (None, None, None);
    sparse.last_login = Some(at("2019-01-01T00:00:00Z"));
    store.import_user(sparse, false).await.must("re-import");
    let user = store.user_by_id(id).await.must("read").must("read");
    assert_eq!(
        (user.first_name.as_str(), user.phone_number.as_str()),
        ("Ann", "+1 555 0100")
    );
    assert_eq!((user.role.as_ref(), user.is_active), ("employee", true));
    assert_eq!(user.date_of_birth, Some(date(1990, 5, 17)));
    assert_eq!(user.date_joined, at("2020-02-29T12:00:00.123456Z"));
    assert_eq!(
        user.last_login,
        Some(at("2021-01-01T00:00:00Z")),
        "an older login must not win"
    );

    // A new account from a sparse source gets the defaults.
    let mut bare = imported(&tag, "bob", "2");
    (
        bare.role,
        bare.first_name,
        bare.date_of_birth,
        bare.is_active,
        bare.is_staff,
    ) = (None, None, None, None, None);
    (bare.date_joined, bare.last_login) = (None, None);
    let bob = created(store.import_user(bare, false).await.must("import"));
    let bob = store.user_by_id(bob).await.must("read").must("read");
    assert_eq!(
        (
            bob.role.as_ref(),
            bob.first_name.as_str(),
            bob.date_of_birth
        ),
        ("client", "", None)
    );
    assert_eq!(
        (bob.is_active, bob.is_staff, bob.date_joined, bob.last_login),
        (true, false, base(), None)
    );
}

pub(super) async fn import_conflicts_write_nothing(store: &dyn Store) {
    let tag = tag();
    let local = user(store, &tag, "cat").await;
    let mut same_name = imported(&tag, "ann", "1");
    same_name.username = username(&local.username.to_uppercase());
    let result = store.import_user(same_name, false).await;
    assert!(
        matches!(result, Err(StoreError::Conflict("username"))),
        "{result:?}"
    );
    let mut same_email = imported(&tag, "bob", "2");
    same_email.email = email(&local.email.to_uppercase());
    let result = store.import_user(same_email, false).await;
    assert!(
        matches!(result, Err(StoreError::Conflict("email"))),
        "{result:?}"
    );
    for name in ["ann", "bob"] {
        let found = store
            .credentials_by_login(&format!("{name}.{tag}@example.com"))
            .await;
        assert!(found.must("login").is_none(), "{name} was written");
    }
    // A refused row imports once its clash is gone, as a new account.
    created(
        store
            .import_user(imported(&tag, "ann", "1"), false)
            .await
            .must("import"),
    );
}

pub(super) async fn import_keeps_a_free_wanted_id(store: &dyn Store) {
    let tag = tag();
    let taken = user(store, &tag, "cat").await.id;
    let free =
        UserId(taken.0 + 1_000_000 + i64::from(u16::from_str_radix(&tag[..4], 16).must("hex")));
    let mut wants_free = imported(&tag, "ann", "1");
    wants_free.wanted_id = Some(free);
    assert_eq!(
        created(store.import_user(wants_free, false).await.must("import")),
        free
    );
    let mut wants_taken = imported(&tag, "bob", "2");
    wants_taken.wanted_id = Some(taken);
    let bob = created(store.import_user(wants_taken, false).await.must("import"));
    assert_ne!(bob, taken);
    // Accounts created afterwards never draw an id an import took.
    let later = user(store, &tag, "dan").await.id;
    assert!(later > free, "{later} after {free}");
}

pub(super) async fn import_dry_run_writes_nothing(store: &dyn Store) {
    let tag = tag();
    let new = imported(&tag, "ann", "1");
    created(store.import_user(new.clone(), true).await.must("dry run"));
    let found = store
        .credentials_by_login(new.email.as_ref())
        .await
        .must("login");
    assert!(found.is_none());
    let id = created(store.import_user(new.clone(), false).await.must("import"));
    let mut renamed = new;
    renamed.first_name = Some("Zed".to_owned());
    let outcome = store.import_user(renamed, true).await.must("dry run");
    assert!(matches!(outcome, ImportOutcome::Updated { id: same, .. } if same == id));
    let user = store.user_by_id(id).await.must("read").must("read");
    assert_eq!(user.first_name, "Ann");
}

pub(super) async fn import_race_creates_one_account(store: &dyn Store) {
    let tag = tag();
    let runs = (0..6).map(|_| store.import_user(imported(&tag, "ann", "1"), false));
    let results = join_all(runs).await;
    let created = results
        .iter()
        .filter(|r| matches!(r, Ok(ImportOutcome::Created(_))))
        .count();
    let updated = results
        .iter()
        .filter(|r| matches!(r, Ok(ImportOutcome::Updated { .. })))
        .count();
    assert_eq!((created, updated), (1, 5), "{results:?}");
}
