//! `gatehouse import-django` as an operator runs it: a Django site's users move over, log in
//! with their old passwords (which become Argon2id), and re-runs update instead of duplicating.
//! SQLite always; PostgreSQL (source and gatehouse both) when `TEST_DATABASE_URL` is set.

#![expect(clippy::expect_used, reason = "helpers fail the test loudly")]

mod bad_input;
mod custom_models;
mod django;
mod run;

use django::{MD5_HASH, REAL_DJANGO_HASH, Source, UNUSABLE, pbkdf2_hash};
use run::{Gatehouse, assert_lines, sqlite_gatehouse};

const ANN_PASSWORD: &str = "ann's old secret";

/// The whole move, on whichever databases the caller set up.
async fn a_django_site_moves_over(source: &Source, gh: &Gatehouse) {
    let upgraded = first_import_keeps_passwords(source, gh).await;
    re_runs_update_and_keep_gatehouse_passwords(source, gh, &upgraded).await;
    dry_runs_write_nothing(source, gh).await;
}

/// Imports a fresh `auth_user`; returns Ann's upgraded hash after her first login.
async fn first_import_keeps_passwords(source: &Source, gh: &Gatehouse) -> String {
    source.create_auth_user().await;
    let ann_hash = pbkdf2_hash(ANN_PASSWORD, "s4ltS4ltS4ltS4lt");
    let rows = [
        (
            1,
            "ann",
            "ann@example.com",
            ann_hash.as_str(),
            (true, true, false),
        ),
        (
            2,
            "bob",
            "bob@example.com",
            REAL_DJANGO_HASH,
            (true, false, true),
        ),
        (
            3,
            "carl",
            "carl@example.com",
            UNUSABLE,
            (true, false, false),
        ),
        (
            4,
            "dora",
            "dora@example.com",
            MD5_HASH,
            (true, false, false),
        ),
        (5, "eve", "", REAL_DJANGO_HASH, (true, false, false)),
        // Django's usernames are case-sensitive; gatehouse's are not: this one gets a suffix.
        (
            7,
            "ANN",
            "ann.two@example.com",
            REAL_DJANGO_HASH,
            (false, false, false),
        ),
    ];
    for (id, username, email, hash, flags) in rows {
        source.add_auth_user(id, username, email, hash, flags).await;
    }
    let from = source.arg();

    let first = gh.import_ok(&["--from", &from]);
    assert_lines(
        &first,
        &[
            "rows read: 6",
            "imported: 5",
            "skipped: 1",
            "row 5: no valid email address",
            "without a usable password: 2",
            "row 3: unusable in Django",
            "row 4: password hash \"md5\" cannot be verified here",
        ],
    );
    for secret in [
        ann_hash.as_str(),
        REAL_DJANGO_HASH,
        UNUSABLE,
        MD5_HASH,
        "0f1e2d3c4b5a",
        "Xr4VWqWZ",
    ] {
        assert!(
            !first.contains(secret),
            "the summary shows a hash:\n{first}"
        );
    }

    imported_users_log_in(gh).await
}

/// Old passwords log in over HTTP and become Argon2id; returns Ann's upgraded hash.
async fn imported_users_log_in(gh: &Gatehouse) -> String {
    let server = gh.serve();
    let (status, ann) = server.login("ann", ANN_PASSWORD).await;
    assert_eq!(status, 200, "{ann}");
    assert_eq!(
        (
            ann["user"]["id"].as_i64(),
            ann["user"]["is_staff"].as_bool()
        ),
        (Some(1), Some(true))
    );
    assert_eq!(ann["user"]["first_name"], "First ann");
    let (status, bob) = server.login("bob@example.com", "correct horse").await;
    assert_eq!(status, 200, "{bob}");
    assert_eq!(
        (
            bob["user"]["id"].as_i64(),
            bob["user"]["is_superuser"].as_bool()
        ),
        (Some(2), Some(true))
    );
    for (login, password) in [
        ("carl", "anything at all"),
        ("dora", "anything at all"),
        ("ANN-2", "correct horse"),
    ] {
        assert_eq!(
            server.login(login, password).await.0,
            401,
            "{login} must not log in"
        );
    }
    // Accounts made after the import never take an id the import kept.
    let (status, newbie) = server
        .post(
            "/api/v1/auth/register/",
            serde_json::json!({"username": "newbie", "email": "newbie@example.com", "password": "Tr0ub4dor&3-staple"}),
        )
        .await;
    assert_eq!(status, 201, "{newbie}");
    assert!(newbie["id"].as_i64() > Some(7), "{newbie}");
    drop(server);
    let upgraded = gh.hash_of("ann").await;
    assert!(
        upgraded.starts_with("$argon2id$"),
        "ann's hash was not upgraded"
    );
    assert!(gh.hash_of("bob").await.starts_with("$argon2id$"));
    upgraded
}

/// The source changed; a re-run updates, never duplicates, keeps gatehouse hashes.
async fn re_runs_update_and_keep_gatehouse_passwords(
    source: &Source,
    gh: &Gatehouse,
    upgraded: &str,
) {
    let from = source.arg();
    // Meanwhile in Django: Ann changed her name and her password there.
    let changed = pbkdf2_hash("ann's newer secret", "n3wS4ltn3wS4lt00");
    source
        .execute(&format!(
            "UPDATE auth_user SET password = '{changed}', first_name = 'Anna' WHERE id = 1"
        ))
        .await;
    let again = gh.import_ok(&["--from", &from]);
    assert_lines(
        &again,
        &[
            "imported: 0",
            "updated: 5 (2 kept a password set in gatehouse)",
            "skipped: 1",
        ],
    );
    assert_eq!(
        gh.hash_of("ann").await,
        upgraded,
        "the re-run overwrote a gatehouse hash"
    );
    let store = gh.store().await;
    let second_ann = store
        .credentials_by_login("ann.two@example.com")
        .await
        .expect("lookup");
    assert_eq!(
        second_ann.map(|c| c.user.username).as_deref(),
        Some("ANN-2")
    );
    assert!(
        store
            .credentials_by_login("ANN-3")
            .await
            .expect("lookup")
            .is_none()
    );
    let server = gh.serve();
    let (status, ann) = server.login("ann", ANN_PASSWORD).await;
    assert_eq!(
        (status, &ann["user"]["first_name"]),
        (200, &serde_json::json!("Anna"))
    );
    drop(server);
    store.close().await;
}

/// A dry run reports what it would do and writes nothing.
async fn dry_runs_write_nothing(source: &Source, gh: &Gatehouse) {
    let from = source.arg();
    let store = gh.store().await;
    source
        .execute("UPDATE auth_user SET first_name = 'Annie' WHERE id = 1")
        .await;
    let dry = gh.import_ok(&["--from", &from, "--dry-run"]);
    assert_lines(&dry, &["dry run: nothing was written", "updated: 5"]);
    let ann = store
        .credentials_by_login("ann")
        .await
        .expect("lookup")
        .expect("ann");
    assert_eq!(ann.user.first_name, "Anna");
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn django_users_from_sqlite_log_in_with_their_old_passwords_and_re_runs_update_them() {
    let gh = sqlite_gatehouse();
    let source = Source::Sqlite(gh.dir.path().join("django.sqlite3"));
    a_django_site_moves_over(&source, &gh).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn django_users_from_postgres_log_in_with_their_old_passwords_and_re_runs_update_them() {
    let Some(admin) = std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())
    else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI=true needs TEST_DATABASE_URL"
        );
        eprintln!("skipped: set TEST_DATABASE_URL to import from and into PostgreSQL");
        return;
    };
    let create = gatehouse_store_postgres::create_scratch_database;
    let source_url = create(&admin).await.expect("source database");
    let target_url = create(&admin).await.expect("gatehouse database");
    let gh = Gatehouse {
        dir: tempfile::tempdir().expect("temp dir"),
        database_url: target_url.clone(),
    };
    let outcome = tokio::spawn({
        let source = Source::Postgres(source_url.clone());
        async move { a_django_site_moves_over(&source, &gh).await }
    })
    .await;
    gatehouse_store_postgres::drop_database(&admin, &source_url).await;
    gatehouse_store_postgres::drop_database(&admin, &target_url).await;
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic.into_panic());
    }
}
