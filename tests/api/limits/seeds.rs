//! The seeds' credential and email paths are limited like the canonical ones: the route table
//! covers them, and these requests go through the real compat handlers.

use reqwest::StatusCode;
use serde_json::json;

use super::support::{post_from, spawn_limited, throttled};

#[tokio::test]
async fn failed_logins_on_seed_paths_share_the_canonical_backoff() {
    let app = spawn_limited(|_| {}).await;
    let user = app.register_and_login().await;
    let paths = [
        "/api/login/",
        "/auth/api/login/",
        "/api/token/",
        "/api/v1/auth/jwt/create/",
    ];
    for i in 0..10 {
        let path = paths[i % paths.len()];
        let body = json!({"username": user.username, "email": user.email, "password": "wrong"});
        let answer = post_from(&app, "10.1.0.1", path, &body).await;
        assert!(answer.status.is_client_error(), "{path}: {answer:#?}");
        assert_ne!(answer.status, StatusCode::TOO_MANY_REQUESTS, "{path} #{i}");
    }
    for path in paths {
        let body = json!({"username": user.username, "email": user.email, "password": "wrong"});
        throttled(&post_from(&app, "10.1.0.1", path, &body).await);
    }
}

#[tokio::test]
async fn seed_email_paths_send_at_most_five_emails_per_address_an_hour() {
    let app = spawn_limited(|_| {}).await;
    let user = app.register_and_login().await;
    let paths = [
        "/api/request-reset-password/",
        "/auth/email_request/",
        "/auth/api/password-reset/",
        "/api/v1/auth/user/otp/",
        "/api/v1/auth/otp/",
    ];
    for (i, path) in paths.iter().enumerate() {
        let ip = format!("10.2.0.{i}");
        let answer = post_from(&app, &ip, path, &json!({"email": user.email})).await;
        assert!(answer.status.is_success(), "{path}: {answer:#?}");
    }
    let sixth = post_from(
        &app,
        "10.2.0.9",
        "/auth/email_request/",
        &json!({"email": user.email}),
    )
    .await;
    throttled(&sixth);
}
