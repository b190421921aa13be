//! The DRF error shapes for requests that go wrong before any use case runs.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{TestApp, assert_drf_error, assert_field_error};

const TOKEN: &str = "/api/v1/auth/token/";
const JSON: &str = "application/json";

#[tokio::test]
async fn an_unknown_path_is_404_not_found() {
    let app = TestApp::spawn().await;

    for path in [
        "/nope/",
        "/api/v1/auth/nope/",
        "/api/v2/auth/token/",
        "/api/v1/users/me/extra/",
    ] {
        let answer = app.get(path, None).await;

        assert_drf_error(&answer, StatusCode::NOT_FOUND, "not_found");
    }
}

#[tokio::test]
async fn a_wrong_method_is_405_method_not_allowed() {
    let app = TestApp::spawn().await;
    let cases = [
        (Method::GET, TOKEN),
        (Method::GET, "/api/v1/auth/token"),
        (Method::PUT, "/api/v1/auth/register/"),
        (Method::DELETE, "/api/v1/auth/token/refresh/"),
        (Method::POST, "/api/v1/users/me/"),
        (Method::POST, "/healthz/"),
    ];

    for (method, path) in cases {
        let answer = app.send(method.clone(), path, None, None).await;

        assert_drf_error(
            &answer,
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
        );
    }
}

#[tokio::test]
async fn a_body_over_64_kib_is_413_payload_too_large() {
    let app = TestApp::spawn().await;
    // `{"username": "aaa…", "password": "x"}` padded to an exact size in bytes.
    let sized = |len: usize| {
        let frame = r#"{"username": "", "password": "x"}"#.len();
        let body = json!({"username": "a".repeat(len - frame), "password": "x"});
        let bytes = format!(
            "{{\"username\": {}, \"password\": \"x\"}}",
            body["username"]
        )
        .into_bytes();
        assert_eq!(bytes.len(), len);
        bytes
    };

    let at_limit = app
        .send_raw(Method::POST, TOKEN, None, Some(JSON), sized(64 * 1024))
        .await;
    let over = app
        .send_raw(Method::POST, TOKEN, None, Some(JSON), sized(64 * 1024 + 1))
        .await;
    let far_over = app
        .send_raw(Method::POST, TOKEN, None, Some(JSON), sized(1024 * 1024))
        .await;

    assert_drf_error(&at_limit, StatusCode::UNAUTHORIZED, "invalid_credentials");
    assert_drf_error(&over, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
    assert_drf_error(
        &far_over,
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
    );
}

#[tokio::test]
async fn a_body_that_is_not_json_is_415_unsupported_media_type() {
    let app = TestApp::spawn().await;
    let body = br#"{"username": "ann", "password": "x"}"#.to_vec();

    for content_type in [
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        None,
    ] {
        let answer = app
            .send_raw(Method::POST, TOKEN, None, content_type, body.clone())
            .await;

        assert_drf_error(
            &answer,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        );
    }
}

#[tokio::test]
async fn json_content_types_with_parameters_or_suffixes_are_accepted() {
    let app = TestApp::spawn().await;
    let body = b"{}".to_vec();

    for content_type in [
        "application/json; charset=utf-8",
        "application/vnd.api+json",
        "Application/JSON",
    ] {
        let answer = app
            .send_raw(Method::POST, TOKEN, None, Some(content_type), body.clone())
            .await;

        assert_field_error(&answer, "username");
    }
}

#[tokio::test]
async fn malformed_json_is_400_parse_error() {
    let app = TestApp::spawn().await;

    for body in [
        &b"{"[..],
        b"{\"username\": }",
        b"not json",
        b"{\"a\":1}}",
        b"\xff\xfe",
    ] {
        let answer = app
            .send_raw(
                Method::POST,
                TOKEN,
                None,
                Some("application/json"),
                body.to_vec(),
            )
            .await;

        assert_drf_error(&answer, StatusCode::BAD_REQUEST, "parse_error");
    }
}

#[tokio::test]
async fn a_json_value_that_is_not_an_object_is_a_non_field_error() {
    let app = TestApp::spawn().await;

    for body in [
        json!([]),
        json!([{"username": "ann"}]),
        // What serde would read as the login struct, field by field, were arrays let through.
        json!(["ann", "correct horse battery staple"]),
        json!("text"),
        json!(5),
        json!(null),
        json!(true),
    ] {
        let answer = app.post(TOKEN, &body).await;

        let messages = assert_field_error(&answer, "non_field_errors");
        assert!(
            messages[0].starts_with("Invalid data. Expected a dictionary"),
            "{messages:?}"
        );
    }
}

#[tokio::test]
async fn a_value_of_the_wrong_type_is_an_error_on_that_field() {
    let app = TestApp::spawn().await;
    let cases = [
        (
            "/api/v1/auth/token/",
            json!({"username": 5, "password": "x"}),
            "username",
        ),
        (
            "/api/v1/auth/token/",
            json!({"username": "ann", "password": ["x"]}),
            "password",
        ),
        (
            "/api/v1/auth/register/",
            json!({"username": "ann", "email": {"a": 1}, "password": "x"}),
            "email",
        ),
        (
            "/api/v1/auth/token/refresh/",
            json!({"refresh": 12.5}),
            "refresh",
        ),
        (
            "/api/v1/auth/token/verify/",
            json!({"token": false}),
            "token",
        ),
    ];

    for (path, body, field) in cases {
        let answer = app.post(path, &body).await;

        let messages = assert_field_error(&answer, field);
        assert_eq!(messages, ["Not a valid string."], "{path} {body}");
    }
}

#[tokio::test]
async fn an_empty_body_reads_as_an_empty_object() {
    let app = TestApp::spawn().await;

    let answer = app
        .send_raw(Method::POST, TOKEN, None, None, Vec::new())
        .await;

    assert_eq!(
        assert_field_error(&answer, "username"),
        ["This field is required."]
    );
    assert_eq!(
        assert_field_error(&answer, "password"),
        ["This field is required."]
    );
}
