//! Request headers: the Authorization header's forms, request ids, and odd header values.

use reqwest::StatusCode;
use reqwest::header::HeaderValue;
use serde_json::json;

use crate::helpers::{PASSWORD, TestApp, assert_unauthorized};

#[tokio::test]
async fn malformed_authorization_headers_are_401_bad_authorization_header() {
    let app = TestApp::spawn().await;
    let user = app.register_and_login().await;
    let values = [
        format!("Token {}", user.access),
        format!("Basic {}", user.access),
        "Bearer".to_owned(),
        format!("Bearer {} extra", user.access),
        String::new(),
    ];

    for value in values {
        let response = reqwest::Client::new()
            .get(app.url("/api/v1/users/me/"))
            .header("authorization", value.clone())
            .send()
            .await
            .unwrap();
        let status = response.status();
        let challenge = response.headers().get("www-authenticate").cloned();
        let body: serde_json::Value = response.json().await.unwrap();

        assert_eq!(status, StatusCode::UNAUTHORIZED, "{value:?}: {body}");
        assert_eq!(
            body["code"], "bad_authorization_header",
            "{value:?}: {body}"
        );
        assert!(challenge.is_some(), "{value:?}");
    }
    let lower = reqwest::Client::new()
        .get(app.url("/api/v1/users/me/"))
        .header("authorization", format!("bearer {}", user.access))
        .send()
        .await
        .unwrap();
    assert_eq!(
        lower.status(),
        StatusCode::OK,
        "the scheme is case-insensitive"
    );
}

#[tokio::test]
async fn a_garbage_bearer_token_is_401_token_not_valid() {
    let app = TestApp::spawn().await;

    for token in [
        "garbage",
        "a.b.c",
        "eyJhbGciOiJFZERTQSJ9.e30.AAAA",
        "grt1.abc.0.def",
    ] {
        let answer = app.me(token).await;

        assert_unauthorized(&answer, "token_not_valid");
    }
}

#[tokio::test]
async fn every_answer_carries_a_request_id_and_echoes_the_clients() {
    let app = TestApp::spawn().await;
    let client = reqwest::Client::new();

    let generated = client.get(app.url("/healthz/")).send().await.unwrap();
    let echoed = client
        .get(app.url("/nope/"))
        .header("x-request-id", "trace-42")
        .send()
        .await
        .unwrap();

    let id = generated
        .headers()
        .get("x-request-id")
        .expect("a request id")
        .to_str()
        .unwrap();
    assert!(uuid::Uuid::parse_str(id).is_ok(), "{id}");
    assert_eq!(echoed.status(), StatusCode::NOT_FOUND);
    assert_eq!(echoed.headers().get("x-request-id").unwrap(), "trace-42");
}

#[tokio::test]
async fn odd_header_values_never_make_a_500() {
    let app = TestApp::spawn().await;
    let user = app.register_and_login().await;
    let client = reqwest::Client::new();
    let body = json!({"username": user.username, "password": PASSWORD});
    let headers: Vec<(&str, Vec<u8>)> = vec![
        ("user-agent", "u".repeat(4_000).into_bytes()),
        ("user-agent", b"caf\xe9 \xff agent".to_vec()),
        ("authorization", b"Bearer \xff\xfe".to_vec()),
        (
            "authorization",
            format!("Bearer {}", "a".repeat(7_000)).into_bytes(),
        ),
        ("x-forwarded-for", b"1.2.3.4, <script>".to_vec()),
        ("x-request-id", b"\xff\xfe".to_vec()),
    ];

    for (name, value) in headers {
        let value = HeaderValue::from_bytes(&value).unwrap();
        let request = client
            .post(app.url("/api/v1/auth/token/"))
            .json(&body)
            .header(name, value);
        let response = request.send().await.unwrap();

        assert_eq!(response.status(), StatusCode::OK, "{name}");
    }
    let sessions = app.sessions(&user.access).await;
    assert_eq!(sessions.status, StatusCode::OK, "{sessions:#?}");
    let devices = sessions.body.as_array().unwrap().iter();
    let lengths: Vec<_> = devices
        .map(|s| s["device"].as_str().unwrap().chars().count())
        .collect();
    assert_eq!(lengths.len(), 7, "one session per login");
    assert!(
        lengths.iter().all(|&len| len <= 512),
        "devices are truncated: {lengths:?}"
    );
}
