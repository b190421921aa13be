//! POST /api/v1/auth/token/verify/

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{TestApp, assert_field_error, assert_unauthorized};

#[tokio::test]
async fn a_valid_access_token_verifies_with_an_empty_object() {
    let app = TestApp::spawn().await;
    let user = app.register_and_login().await;

    let answer = app.verify(&user.access).await;

    assert_eq!(answer.status, StatusCode::OK, "{answer:#?}");
    assert_eq!(answer.body, json!({}));
}

#[tokio::test]
async fn an_access_token_stops_verifying_when_it_expires() {
    let app = TestApp::spawn().await;
    let user = app.register_and_login().await;
    app.clock.advance(Duration::from_secs(299));
    assert_eq!(
        app.verify(&user.access).await.status,
        StatusCode::OK,
        "still valid at 299 s"
    );
    app.clock.advance(Duration::from_secs(2));

    let answer = app.verify(&user.access).await;

    assert_unauthorized(&answer, "token_not_valid");
}

#[tokio::test]
async fn a_revoked_sessions_access_token_does_not_verify() {
    let app = TestApp::spawn().await;
    let user = app.register_and_login().await;
    assert_eq!(
        app.logout(&user.access, None).await.status,
        StatusCode::NO_CONTENT
    );

    let answer = app.verify(&user.access).await;

    assert_unauthorized(&answer, "token_not_valid");
}

#[tokio::test]
async fn garbage_and_refresh_tokens_do_not_verify() {
    let app = TestApp::spawn().await;
    let user = app.register_and_login().await;
    let truncated = &user.access[..user.access.len() - 4];

    for token in [
        "garbage",
        "a.b.c",
        "",
        " ",
        truncated,
        user.refresh.as_str(),
    ] {
        let answer = app.verify(token).await;

        if token.trim().is_empty() {
            assert_field_error(&answer, "token");
        } else {
            assert_unauthorized(&answer, "token_not_valid");
        }
    }
    assert_eq!(
        assert_field_error(
            &app.post("/api/v1/auth/token/verify/", &json!({})).await,
            "token"
        ),
        ["This field is required."]
    );
}
