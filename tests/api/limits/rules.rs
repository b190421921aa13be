//! Rate limits and brute-force backoff on the canonical routes, over HTTP with the server's
//! manual clock.

use crate::helpers::{PASSWORD, TestApp, TestUser, postgres_and_redis};
use gatehouse::config::{Config, Switch};
use reqwest::StatusCode;
use serde_json::json;
use std::time::Duration;

use super::support::{fail_logins, limited, login_from, post_from, spawn_limited, throttled};

#[tokio::test]
async fn failed_logins_from_one_ip_wait_longer_each_time_and_recover_with_time() {
    let app = spawn_limited(|_| {}).await;
    let user = app.register_and_login().await;

    fail_logins(&app, "10.0.0.1", &user, 10).await;

    let mut waits = Vec::new();
    for _ in 0..3 {
        let wait = throttled(&login_from(&app, "10.0.0.1", &user.username, PASSWORD).await);
        waits.push(wait);
        app.clock.advance(Duration::from_secs(wait));
        fail_logins(&app, "10.0.0.1", &user, 1).await;
    }
    assert_eq!(waits, [1, 2, 4], "the wait doubles from 1 s");
    let wait = throttled(&login_from(&app, "10.0.0.1", &user.username, PASSWORD).await);
    assert_eq!(wait, 8);

    app.clock.advance(Duration::from_secs(wait));
    let answer = login_from(&app, "10.0.0.1", &user.username, PASSWORD).await;
    assert_eq!(answer.status, StatusCode::OK, "{answer:#?}");
}

#[tokio::test]
async fn the_backoff_is_capped() {
    let app = spawn_limited(|c| {
        c.rate_limit_failures = 1;
        c.rate_limit_backoff_max = Duration::from_secs(3);
    })
    .await;
    let user = app.register_and_login().await;

    let mut waits = Vec::new();
    for _ in 0..4 {
        fail_logins(&app, "10.0.0.1", &user, 1).await;
        let wait = throttled(&login_from(&app, "10.0.0.1", &user.username, PASSWORD).await);
        waits.push(wait);
        app.clock.advance(Duration::from_secs(wait));
    }

    assert_eq!(waits, [1, 2, 3, 3]);
}

#[tokio::test]
async fn failures_spread_over_many_ips_throttle_the_identifier_for_a_new_ip() {
    let app = spawn_limited(|_| {}).await;
    let user = app.register_and_login().await;
    let other = app.register_and_login().await;

    for i in 0..10 {
        fail_logins(&app, &format!("10.0.1.{i}"), &user, 1).await;
    }

    let stranger = login_from(&app, "10.0.2.1", &user.username, PASSWORD).await;
    assert_eq!(throttled(&stranger), 1);
    let other_account = login_from(&app, "10.0.2.1", &other.username, PASSWORD).await;
    assert_eq!(other_account.status, StatusCode::OK, "{other_account:#?}");
    let by_email = login_from(&app, "10.0.2.1", &user.email, PASSWORD).await;
    assert_eq!(
        by_email.status,
        StatusCode::OK,
        "the email is another identifier: {by_email:#?}"
    );
}

#[tokio::test]
async fn a_known_ip_still_logs_in_while_strangers_are_throttled_for_that_account() {
    let app = spawn_limited(|_| {}).await;
    let user = app.register_and_login().await;
    let home = login_from(&app, "192.0.2.10", &user.username, PASSWORD).await;
    assert_eq!(home.status, StatusCode::OK, "{home:#?}");

    fail_logins(&app, "198.51.100.66", &user, 10).await;

    throttled(&login_from(&app, "198.51.100.66", &user.username, PASSWORD).await);
    throttled(&login_from(&app, "198.51.100.67", &user.username, PASSWORD).await);
    let again = login_from(&app, "192.0.2.10", &user.username, PASSWORD).await;
    assert_eq!(again.status, StatusCode::OK, "{again:#?}");
}

#[tokio::test]
async fn the_per_ip_and_identifier_limit_applies_to_a_known_ip_too() {
    let app = spawn_limited(|_| {}).await;
    let user = app.register_and_login().await;
    let home = login_from(&app, "192.0.2.10", &user.username, PASSWORD).await;
    assert_eq!(home.status, StatusCode::OK, "{home:#?}");

    fail_logins(&app, "192.0.2.10", &user, 10).await;

    assert_eq!(
        throttled(&login_from(&app, "192.0.2.10", &user.username, PASSWORD).await),
        1
    );
}

#[tokio::test]
async fn a_success_clears_the_failures_of_that_ip_and_identifier() {
    let app = spawn_limited(|_| {}).await;
    let user = app.register_and_login().await;

    fail_logins(&app, "10.0.0.1", &user, 9).await;
    let ok = login_from(&app, "10.0.0.1", &user.username, PASSWORD).await;
    assert_eq!(ok.status, StatusCode::OK, "{ok:#?}");
    fail_logins(&app, "10.0.0.1", &user, 9).await;

    let ok = login_from(&app, "10.0.0.1", &user.username, PASSWORD).await;
    assert_eq!(ok.status, StatusCode::OK, "{ok:#?}");
}

#[tokio::test]
async fn limited_requests_per_ip_are_counted_per_minute() {
    let app = spawn_limited(|c| c.rate_limit_requests_per_ip = 5).await;
    let user = app.register_and_login().await;

    for i in 0..5 {
        let answer = login_from(&app, "10.0.0.1", &format!("nobody{i}"), PASSWORD).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{answer:#?}");
    }
    let wait = throttled(&login_from(&app, "10.0.0.1", &user.username, PASSWORD).await);
    assert!((1..=60).contains(&wait), "{wait}");
    let elsewhere = login_from(&app, "10.0.0.2", &user.username, PASSWORD).await;
    assert_eq!(elsewhere.status, StatusCode::OK, "{elsewhere:#?}");

    app.clock.advance(Duration::from_mins(1));
    let later = login_from(&app, "10.0.0.1", &user.username, PASSWORD).await;
    assert_eq!(later.status, StatusCode::OK, "{later:#?}");
}

#[tokio::test]
async fn code_emails_are_limited_per_address_and_per_ip() {
    let app = spawn_limited(|c| {
        c.rate_limit_emails = 3;
        c.rate_limit_emails_per_ip = 5;
    })
    .await;
    let user = app.register_and_login().await;
    let reset = |ip: &'static str, email: String| {
        let app = &app;
        async move {
            post_from(
                app,
                ip,
                "/api/v1/auth/password/reset/",
                &json!({"email": email}),
            )
            .await
        }
    };

    for _ in 0..3 {
        let answer = reset("10.0.0.1", user.email.clone()).await;
        assert!(answer.status.is_success(), "{answer:#?}");
    }
    let wait = throttled(&reset("10.0.0.2", user.email.to_uppercase()).await);
    assert!((3500..=3600).contains(&wait), "about an hour: {wait}");

    for i in 0..5 {
        let answer = reset("10.0.0.3", format!("someone{i}@example.com")).await;
        assert!(answer.status.is_success(), "{answer:#?}");
    }
    throttled(&reset("10.0.0.3", "someone-else@example.com".to_owned()).await);
    let code = post_from(
        &app,
        "10.0.0.3",
        "/api/v1/auth/otp/",
        &json!({"email": "x@example.com"}),
    )
    .await;
    throttled(&code);

    app.clock.advance(Duration::from_hours(1));
    let answer = reset("10.0.0.3", user.email.clone()).await;
    assert!(answer.status.is_success(), "{answer:#?}");
}

#[tokio::test]
async fn registrations_are_limited_per_ip() {
    let app = spawn_limited(|c| c.rate_limit_registrations_per_ip = 2).await;
    let register = |ip| {
        let app = &app;
        async move { post_from(app, ip, "/api/v1/auth/register/", &TestApp::new_user_body()).await }
    };

    for _ in 0..2 {
        let answer = register("10.0.0.1").await;
        assert_eq!(answer.status, StatusCode::CREATED, "{answer:#?}");
    }

    throttled(&register("10.0.0.1").await);
    assert_eq!(register("10.0.0.2").await.status, StatusCode::CREATED);
}

#[tokio::test]
async fn with_rate_limits_off_nothing_is_throttled() {
    let app = TestApp::spawn_with(|c| {
        limited(c);
        c.rate_limits = Switch::Off;
        c.rate_limit_requests_per_ip = 1;
    })
    .await;
    let user = app.register_and_login().await;

    fail_logins(&app, "10.0.0.1", &user, 15).await;

    let answer = login_from(&app, "10.0.0.1", &user.username, PASSWORD).await;
    assert_eq!(answer.status, StatusCode::OK, "{answer:#?}");
}

#[tokio::test]
async fn the_body_reaches_the_handler_intact_under_the_limiter() {
    let app = spawn_limited(|_| {}).await;
    let mut body = TestApp::new_user_body();
    body["first_name"] = json!("Zoë ✓ «quoted»");
    let registered = post_from(&app, "10.0.0.1", "/api/v1/auth/register/", &body).await;
    assert_eq!(registered.status, StatusCode::CREATED, "{registered:#?}");
    assert_eq!(registered.body["first_name"], "Zoë ✓ «quoted»");

    let login = json!({"login": body["username"], "password": PASSWORD, "extra": [1, {"a": null}]});
    let answer = post_from(&app, "10.0.0.1", "/api/v1/auth/token/", &login).await;

    assert_eq!(answer.status, StatusCode::OK, "{answer:#?}");
    assert!(answer.body["access"].is_string(), "{answer:#?}");
}

#[tokio::test]
async fn a_limited_endpoint_still_answers_bad_bodies_with_4xx() {
    let app = spawn_limited(|_| {}).await;
    let huge = "x".repeat(app_body_limit() + 1);

    let too_large = post_from(
        &app,
        "10.0.0.1",
        "/api/v1/auth/token/",
        &json!({"username": huge}),
    )
    .await;
    let not_json = app
        .send_raw(
            reqwest::Method::POST,
            "/api/v1/auth/token/",
            None,
            Some("application/json"),
            b"{not json".to_vec(),
        )
        .await;

    assert_eq!(
        too_large.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{too_large:#?}"
    );
    assert_eq!(not_json.status, StatusCode::BAD_REQUEST, "{not_json:#?}");
}

fn app_body_limit() -> usize {
    Config::default().max_body_bytes
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_on_one_node_throttle_the_identifier_on_the_other_through_redis() {
    let test = "failures_on_one_node_throttle_the_identifier_on_the_other_through_redis";
    let Some((_, redis)) = postgres_and_redis(test) else {
        return;
    };
    let configure = |c: &mut Config| {
        limited(c);
        c.redis_url = Some(redis.clone());
    };
    let a = TestApp::spawn_with(configure).await;
    let b = a.spawn_peer(configure).await;
    // Redis outlives this test: addresses of its own keep other runs' counters out (the
    // helpers' requests come from 127.0.0.1, so accounts are made through the proxy header too).
    let net = uuid::Uuid::new_v4().as_bytes()[0];
    let (attacker, stranger) = (format!("10.{net}.0.1"), format!("10.{net}.0.2"));
    let user = register_from(&a, &attacker).await;
    let other = register_from(&b, &stranger).await;

    fail_logins(&a, &attacker, &user, 10).await;

    throttled(&login_from(&b, &attacker, &user.username, PASSWORD).await);
    throttled(&login_from(&b, &stranger, &user.username, PASSWORD).await);
    let unrelated = login_from(&b, &stranger, &other.username, PASSWORD).await;
    assert_eq!(unrelated.status, StatusCode::OK, "{unrelated:#?}");
}

/// Registers a fresh user as if from `ip`; only the names are filled in.
async fn register_from(app: &TestApp, ip: &str) -> TestUser {
    let body = TestApp::new_user_body();
    let answer = post_from(app, ip, "/api/v1/auth/register/", &body).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{answer:#?}");
    TestUser {
        id: answer.body["id"].as_i64().unwrap(),
        username: body["username"].as_str().unwrap().to_owned(),
        email: body["email"].as_str().unwrap().to_owned(),
        password: PASSWORD.to_owned(),
        access: String::new(),
        refresh: String::new(),
    }
}
