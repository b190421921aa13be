//! Password hashing as seen from outside: Django hashes upgrade on login, and a saturated hashing
//! pool answers 503 + Retry-After instead of queueing without bound.

use futures_util::future::join_all;
use gatehouse_domain::UserId;
use reqwest::StatusCode;

use crate::helpers::{PASSWORD, TestApp, assert_drf_error, assert_token_pair, assert_unauthorized};

/// Django 5.2's hash of "correct horse" (`make_password`, default hasher).
const DJANGO_HASH: &str =
    "pbkdf2_sha256$1000000$Xr4VWqWZrVlA8cJZ$V/5nJiCIiyQ2JJtQfqlV7EOZsiQFPKswYi6eDBqwWyE=";

#[tokio::test]
async fn a_user_with_a_django_hash_logs_in_and_the_hash_becomes_argon2id() {
    let app = TestApp::spawn().await;
    let user = app.register_and_login().await;
    app.store()
        .set_password_hash(UserId(user.id), DJANGO_HASH)
        .await
        .unwrap();

    let answer = app.login(&user.username, "correct horse").await;

    assert_token_pair(&answer);
    assert_eq!(answer.body["user"]["id"], user.id);
    let stored = app
        .store()
        .credentials_by_id(UserId(user.id))
        .await
        .unwrap()
        .unwrap();
    assert!(
        stored.password_hash.starts_with("$argon2id$"),
        "{}",
        stored.password_hash
    );
    assert_token_pair(&app.login(&user.username, "correct horse").await);
    assert_unauthorized(
        &app.login(&user.username, PASSWORD).await,
        "invalid_credentials",
    );
}

#[tokio::test]
async fn a_wrong_password_against_a_django_hash_is_refused_and_nothing_is_rehashed() {
    let app = TestApp::spawn().await;
    let user = app.register_and_login().await;
    app.store()
        .set_password_hash(UserId(user.id), DJANGO_HASH)
        .await
        .unwrap();

    let answer = app.login(&user.username, "incorrect horse").await;

    assert_unauthorized(&answer, "invalid_credentials");
    let stored = app
        .store()
        .credentials_by_id(UserId(user.id))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.password_hash, DJANGO_HASH);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_login_flood_beyond_the_hashing_pool_gets_503_busy_with_retry_after() {
    let app = TestApp::spawn_with(|c| {
        c.hash_concurrency = Some(1);
        c.hash_queue = 0;
        c.argon2_memory_kib = 65_536;
        c.argon2_iterations = 3;
    })
    .await;
    let user = app.register_and_login().await;

    let answers = join_all((0..8).map(|_| app.login(&user.username, PASSWORD))).await;

    let busy: Vec<_> = answers
        .iter()
        .filter(|a| a.status == StatusCode::SERVICE_UNAVAILABLE)
        .collect();
    assert!(
        !busy.is_empty(),
        "no 503 among {:?}",
        answers.iter().map(|a| a.status).collect::<Vec<_>>()
    );
    for answer in &busy {
        assert_drf_error(answer, StatusCode::SERVICE_UNAVAILABLE, "busy");
        let retry_after = answer.header("retry-after").expect("a Retry-After header");
        assert!(
            retry_after.parse::<u64>().is_ok_and(|s| s >= 1),
            "{retry_after}"
        );
    }
    for answer in &answers {
        assert!(
            answer.status == StatusCode::OK || answer.status == StatusCode::SERVICE_UNAVAILABLE,
            "only 200 or 503: {answer:#?}"
        );
    }
    assert!(
        answers.iter().any(|a| a.status == StatusCode::OK),
        "one login got the slot"
    );
}
