//! POST /api/v1/auth/token/ (password login).

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{
    PASSWORD, TestApp, assert_field_error, assert_token_pair, assert_unauthorized,
    assert_user_shape,
};

#[tokio::test]
async fn login_with_a_username_returns_a_token_pair_and_the_user() {
    let app = TestApp::spawn().await;
    let user = app.register_and_login().await;

    let answer = app.login(&user.username, PASSWORD).await;

    assert_token_pair(&answer);
    assert_user_shape(&answer.body["user"]);
    assert_eq!(answer.body["user"]["id"], user.id);
    assert_eq!(answer.body["user"]["username"], user.username.as_str());
    assert!(answer.body["user"]["last_login"].is_string(), "{answer:#?}");
    let me = app.me(answer.str("access")).await;
    assert_eq!(
        me.status,
        StatusCode::OK,
        "the new access token works: {me:#?}"
    );
}

#[tokio::test]
async fn login_accepts_the_email_or_the_login_field_in_any_case() {
    let app = TestApp::spawn().await;
    let user = app.register_and_login().await;
    let bodies = [
        json!({"email": user.email, "password": PASSWORD}),
        json!({"login": user.email.to_uppercase(), "password": PASSWORD}),
        json!({"login": user.username, "password": PASSWORD}),
        json!({"username": user.username.to_uppercase(), "password": PASSWORD}),
        json!({"username": format!("  {}  ", user.username), "password": PASSWORD}),
    ];

    for body in bodies {
        let answer = app.login_with(&body).await;

        assert_token_pair(&answer);
        assert_eq!(answer.body["user"]["id"], user.id, "{body}");
    }
}

#[tokio::test]
async fn login_answers_without_the_trailing_slash_too() {
    let app = TestApp::spawn().await;
    let user = app.register_and_login().await;

    let answer = app
        .post(
            "/api/v1/auth/token",
            &json!({"username": user.username, "password": PASSWORD}),
        )
        .await;

    assert_token_pair(&answer);
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_user_get_the_same_401() {
    let app = TestApp::spawn().await;
    let user = app.register_and_login().await;

    let wrong_password = app.login(&user.username, "Not-the-password-9").await;
    let unknown_user = app.login("nobody_here", "Not-the-password-9").await;

    assert_unauthorized(&wrong_password, "invalid_credentials");
    assert_unauthorized(&unknown_user, "invalid_credentials");
    assert_eq!(wrong_password.body, unknown_user.body);
    assert_eq!(
        wrong_password.header("www-authenticate"),
        unknown_user.header("www-authenticate")
    );
    assert!(wrong_password.body.get("access").is_none());
}

#[tokio::test]
async fn a_password_of_another_user_does_not_log_in() {
    let app = TestApp::spawn().await;
    let ann = app.register_and_login().await;
    let bob = app.register_and_login().await;
    let changed = app
        .change_password(&bob.access, PASSWORD, "Bobs-own-secret-77")
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{changed:#?}");

    let answer = app.login(&ann.username, "Bobs-own-secret-77").await;

    assert_unauthorized(&answer, "invalid_credentials");
}

#[tokio::test]
async fn missing_credentials_are_field_errors() {
    let app = TestApp::spawn().await;

    let nothing = app.login_with(&json!({})).await;
    let blank = app
        .login_with(&json!({"username": "someone", "password": ""}))
        .await;

    assert_eq!(
        assert_field_error(&nothing, "username"),
        ["This field is required."]
    );
    assert_eq!(
        assert_field_error(&nothing, "password"),
        ["This field is required."]
    );
    assert_eq!(
        assert_field_error(&blank, "password"),
        ["This field may not be blank."]
    );
}

#[tokio::test]
async fn overlong_credentials_are_refused_like_wrong_ones() {
    let app = TestApp::spawn().await;
    let user = app.register_and_login().await;

    let long_login = app.login(&"u".repeat(300), PASSWORD).await;
    let long_password = app.login(&user.username, &"p".repeat(2000)).await;

    assert_unauthorized(&long_login, "invalid_credentials");
    assert_unauthorized(&long_password, "invalid_credentials");
}

#[tokio::test]
async fn every_login_opens_its_own_session() {
    let app = TestApp::spawn().await;
    let user = app.register_and_login().await;

    let (second_access, _) = app.login_tokens(&user.username, PASSWORD).await;

    let sessions = app.sessions(&second_access).await;
    assert_eq!(sessions.status, StatusCode::OK, "{sessions:#?}");
    assert_eq!(
        sessions.body.as_array().map(Vec::len),
        Some(2),
        "{sessions:#?}"
    );
    let first = app.me(&user.access).await;
    assert_eq!(
        first.status,
        StatusCode::OK,
        "the first session still works: {first:#?}"
    );
}
