//! Servers with limits on, and requests "from" other addresses through the trusted-proxy header
//! these servers are told to believe.

use gatehouse::config::{Config, Switch};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Answer, TestApp, TestUser};

pub const PROXY_HEADER: &str = "X-Forwarded-For";

/// A server with limits on (whatever the test default), believing `X-Forwarded-For`.
pub async fn spawn_limited(configure: impl FnOnce(&mut Config)) -> TestApp {
    TestApp::spawn_with(|c| {
        limited(c);
        configure(c);
    })
    .await
}

pub fn limited(c: &mut Config) {
    c.rate_limits = Switch::On;
    c.trusted_proxy_header = Some(PROXY_HEADER.to_owned());
}

/// POSTs `body` to `path` as if from `ip` (behind the trusted proxy).
pub async fn post_from(app: &TestApp, ip: &str, path: &str, body: &Value) -> Answer {
    let response = reqwest::Client::new()
        .post(app.url(path))
        .header(PROXY_HEADER, format!("203.0.113.250, {ip}"))
        .json(body)
        .send()
        .await
        .expect("the server answers");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.bytes().await.expect("the body is readable");
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    Answer {
        status,
        headers,
        body,
    }
}

pub async fn login_from(app: &TestApp, ip: &str, login: &str, password: &str) -> Answer {
    let body = json!({"username": login, "password": password});
    post_from(app, ip, "/api/v1/auth/token/", &body).await
}

/// Asserts a 429 in the DRF shape and returns its `Retry-After` in seconds.
pub fn throttled(answer: &Answer) -> u64 {
    assert_eq!(answer.status, StatusCode::TOO_MANY_REQUESTS, "{answer:#?}");
    assert_eq!(answer.body["code"], "throttled", "{answer:#?}");
    answer
        .header("retry-after")
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no numeric Retry-After in {answer:#?}"))
}

/// Sends `n` wrong-password logins for `user` from `ip`, each refused as a plain 401.
pub async fn fail_logins(app: &TestApp, ip: &str, user: &TestUser, n: usize) {
    for i in 0..n {
        let answer = login_from(app, ip, &user.username, "wrong password").await;
        assert_eq!(
            answer.status,
            StatusCode::UNAUTHORIZED,
            "failure {i}: {answer:#?}"
        );
    }
}
