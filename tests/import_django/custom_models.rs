//! Custom user models through a preset: the SIN seed's `users_user` with `name` and `user_type`.

use crate::django::{REAL_DJANGO_HASH, Source, UNUSABLE};
use crate::run::{assert_lines, sqlite_gatehouse};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sin_user_model_imports_with_its_roles_mapped() {
    let gh = sqlite_gatehouse();
    let source = Source::Sqlite(gh.dir.path().join("sin.sqlite3"));
    source
        .execute(&format!(
            r#"CREATE TABLE "users_user" ("id" integer NOT NULL PRIMARY KEY AUTOINCREMENT,
               "password" varchar(128) NOT NULL, "last_login" datetime NULL,
               "is_superuser" bool NOT NULL, "name" varchar(155) NOT NULL,
               "username" varchar(155) NOT NULL UNIQUE, "email" varchar(155) NOT NULL UNIQUE,
               "is_active" bool NOT NULL, "is_staff" bool NOT NULL, "user_type" varchar(20) NOT NULL);
             INSERT INTO users_user VALUES
               (1, '{REAL_DJANGO_HASH}', '2024-01-02 03:04:05', 1, 'Ada Admin', 'ada', 'ada@example.com', 1, 1, 'admin'),
               (2, '{REAL_DJANGO_HASH}', NULL, 0, 'Emil Employee', 'emil', 'emil@example.com', 1, 0, 'employee'),
               (3, '{UNUSABLE}', NULL, 0, 'Cleo Client', 'cleo', 'cleo@example.com', 1, 0, 'client');"#
        ))
        .await;
    let from = source.arg();

    let first = gh.import_ok(&["--from", &from, "--preset", "sin"]);
    assert_lines(
        &first,
        &[
            "imported: 2",
            "skipped: 1",
            "row 1: role \"admin\" is not a configured role; map it with --role-map admin=ROLE",
        ],
    );
    let mapped = gh.import_ok(&[
        "--from",
        &from,
        "--preset",
        "sin",
        "--role-map",
        "admin=employee",
    ]);
    assert_lines(
        &mapped,
        &[
            "imported: 1",
            "updated: 2 (0 kept a password set in gatehouse)",
            "skipped: 0",
        ],
    );

    let server = gh.serve();
    let (status, ada) = server.login("ada", "correct horse").await;
    assert_eq!(status, 200, "{ada}");
    let user = &ada["user"];
    assert_eq!(
        (user["role"].as_str(), user["first_name"].as_str()),
        (Some("employee"), Some("Ada Admin"))
    );
    assert_eq!(
        (user["is_superuser"].as_bool(), user["is_staff"].as_bool()),
        (Some(true), Some(true))
    );
    let (status, emil) = server.login("emil@example.com", "correct horse").await;
    assert_eq!(
        (status, emil["user"]["role"].as_str()),
        (200, Some("employee"))
    );
}
