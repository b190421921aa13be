//! Two nodes on one database: a session revoked on one stops working on the other, through
//! Redis pub/sub at once, or through the periodic database catch-up without Redis.

use std::time::{Duration, Instant};

use reqwest::StatusCode;

use crate::helpers::{
    TestApp, TestUser, assert_token_pair, assert_unauthorized, postgres_and_redis,
};

/// How long a revocation may take to reach the other node.
const DEADLINE: Duration = Duration::from_secs(2);

/// Polls `/users/me/` on `node` until the token is refused; returns how long that took.
async fn until_refused(node: &TestApp, access: &str) -> Duration {
    let started = Instant::now();
    loop {
        let answer = node.me(access).await;
        if answer.status == StatusCode::UNAUTHORIZED {
            assert_unauthorized(&answer, "token_not_valid");
            return started.elapsed();
        }
        assert_eq!(answer.status, StatusCode::OK, "{answer:#?}");
        assert!(
            started.elapsed() < DEADLINE,
            "node B still accepts the revoked session after {:?}",
            started.elapsed()
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Logs in on `a`, checks `b` accepts the token, logs out on `a`.
async fn login_on_a_then_logout(a: &TestApp, b: &TestApp) -> TestUser {
    let user = a.register_and_login().await;
    let on_b = b.me(&user.access).await;
    assert_eq!(
        on_b.status,
        StatusCode::OK,
        "node B accepts node A's token: {on_b:#?}"
    );
    assert_eq!(on_b.body["id"], user.id);
    assert_token_pair(&b.refresh(&user.refresh).await);
    let refreshed = a.refresh(&user.refresh).await;
    assert_token_pair(&refreshed);
    let logout = a.logout(&user.access, None).await;
    assert_eq!(logout.status, StatusCode::NO_CONTENT, "{logout:#?}");
    assert_unauthorized(&a.me(&user.access).await, "token_not_valid");
    user
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_logout_on_one_node_reaches_the_other_through_redis_at_once() {
    let test = "a_logout_on_one_node_reaches_the_other_through_redis_at_once";
    let Some((_, redis)) = postgres_and_redis(test) else {
        return;
    };
    let configure = |c: &mut gatehouse::config::Config| {
        c.redis_url = Some(redis.clone());
        // Only Redis can carry the revocation within the deadline.
        c.revocation_sync = Duration::from_hours(1);
    };
    let a = TestApp::spawn_with(configure).await;
    let b = a.spawn_peer(configure).await;

    let user = login_on_a_then_logout(&a, &b).await;

    let elapsed = until_refused(&b, &user.access).await;
    eprintln!("{test}: node B refused the revoked session after {elapsed:?}");
    assert_unauthorized(&b.refresh(&user.refresh).await, "token_not_valid");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_redis_a_logout_reaches_the_other_node_through_the_database() {
    let configure =
        |c: &mut gatehouse::config::Config| c.revocation_sync = Duration::from_millis(200);
    let a = TestApp::spawn_with(configure).await;
    let b = a.spawn_peer(configure).await;

    let user = login_on_a_then_logout(&a, &b).await;

    let elapsed = until_refused(&b, &user.access).await;
    eprintln!("database catch-up: node B refused the revoked session after {elapsed:?}");
    assert_unauthorized(&b.refresh(&user.refresh).await, "token_not_valid");
}

#[tokio::test]
async fn two_nodes_on_one_database_share_signing_keys_and_users() {
    let a = TestApp::spawn().await;
    let b = a.spawn_peer(|_| {}).await;

    let user = a.register_and_login().await;
    let on_b = b.login(&user.username, &user.password).await;

    assert_token_pair(&on_b);
    assert_eq!(a.jwks().await.body, b.jwks().await.body, "one key set");
    assert_eq!(a.me(on_b.str("access")).await.status, StatusCode::OK);
    assert_eq!(
        b.sessions(&user.access).await.body.as_array().map(Vec::len),
        Some(2)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_profile_change_on_one_node_shows_on_the_other_at_once_through_redis() {
    let test = "a_profile_change_on_one_node_shows_on_the_other_at_once_through_redis";
    let Some((_, redis)) = postgres_and_redis(test) else {
        return;
    };
    let configure = |c: &mut gatehouse::config::Config| {
        c.redis_url = Some(redis.clone());
        // Only the announcement can reach node B's cache in time.
        c.user_cache_ttl = Duration::from_mins(1);
    };
    let a = TestApp::spawn_with(configure).await;
    let b = a.spawn_peer(configure).await;
    let user = a.register_and_login().await;
    assert_eq!(
        b.me(&user.access).await.body["role"],
        "client",
        "node B caches the user"
    );

    let patched = a
        .patch_me(&user.access, &serde_json::json!({"first_name": "Renamed"}))
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{patched:#?}");

    let started = Instant::now();
    loop {
        let seen = b.me(&user.access).await;
        if seen.body["first_name"] == "Renamed" {
            break;
        }
        assert!(
            started.elapsed() < DEADLINE,
            "node B still shows the old user: {seen:#?}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    eprintln!(
        "{test}: node B saw the change after {:?}",
        started.elapsed()
    );
}
