//! POST /api/v1/auth/password/change/

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{
    PASSWORD, TestApp, assert_field_error, assert_token_pair, assert_unauthorized, claims,
};

const NEW_PASSWORD: &str = "Brand-new-phrase-2718";

#[tokio::test]
async fn a_password_change_keeps_this_session_and_ends_all_others() {
    let app = TestApp::spawn().await;
    let user = app.register_and_login().await;
    let (other_access, other_refresh) = app.login_tokens(&user.username, PASSWORD).await;

    let answer = app
        .change_password(&user.access, PASSWORD, NEW_PASSWORD)
        .await;

    assert_token_pair(&answer);
    assert_eq!(
        claims(answer.str("access"))["sid"],
        claims(&user.access)["sid"],
        "same session"
    );
    assert_eq!(app.me(answer.str("access")).await.status, StatusCode::OK);
    assert_token_pair(&app.refresh(answer.str("refresh")).await);
    assert_unauthorized(&app.me(&other_access).await, "token_not_valid");
    assert_unauthorized(&app.refresh(&other_refresh).await, "token_not_valid");
}

#[tokio::test]
async fn after_a_change_the_new_password_logs_in_and_the_old_one_does_not() {
    let app = TestApp::spawn().await;
    let user = app.register_and_login().await;
    assert_token_pair(
        &app.change_password(&user.access, PASSWORD, NEW_PASSWORD)
            .await,
    );

    let old = app.login(&user.username, PASSWORD).await;
    let new = app.login(&user.username, NEW_PASSWORD).await;

    assert_unauthorized(&old, "invalid_credentials");
    assert_token_pair(&new);
}

#[tokio::test]
async fn a_wrong_old_password_changes_nothing() {
    let app = TestApp::spawn().await;
    let user = app.register_and_login().await;
    let (other_access, _) = app.login_tokens(&user.username, PASSWORD).await;

    let answer = app
        .change_password(&user.access, "Not-my-password-1", NEW_PASSWORD)
        .await;

    assert_field_error(&answer, "old_password");
    assert_eq!(
        app.me(&other_access).await.status,
        StatusCode::OK,
        "no session ended"
    );
    assert_token_pair(&app.login(&user.username, PASSWORD).await);
    assert_unauthorized(
        &app.login(&user.username, NEW_PASSWORD).await,
        "invalid_credentials",
    );
}

#[tokio::test]
async fn a_mismatched_confirmation_or_a_weak_new_password_is_refused() {
    let app = TestApp::spawn().await;
    let user = app.register_and_login().await;
    let mismatch = json!({"old_password": PASSWORD, "new_password": NEW_PASSWORD, "re_new_password": "Other-phrase-31415"});
    let weak = json!({"old_password": PASSWORD, "new_password": "password123", "re_new_password": "password123"});
    let similar = format!("{}-2024", user.username);
    let personal =
        json!({"old_password": PASSWORD, "new_password": similar, "re_new_password": similar});

    assert_field_error(
        &app.change_password_with(&user.access, &mismatch).await,
        "re_new_password",
    );
    assert_field_error(
        &app.change_password_with(&user.access, &weak).await,
        "new_password",
    );
    assert_field_error(
        &app.change_password_with(&user.access, &personal).await,
        "new_password",
    );
    let missing = app.change_password_with(&user.access, &json!({})).await;
    for field in ["old_password", "new_password", "re_new_password"] {
        assert_eq!(
            assert_field_error(&missing, field),
            ["This field is required."]
        );
    }
    assert_token_pair(&app.login(&user.username, PASSWORD).await);
}

#[tokio::test]
async fn a_password_change_needs_a_bearer_token() {
    let app = TestApp::spawn().await;
    let body = json!({"old_password": PASSWORD, "new_password": NEW_PASSWORD, "re_new_password": NEW_PASSWORD});

    let answer = app
        .send(
            Method::POST,
            "/api/v1/auth/password/change/",
            None,
            Some(&body),
        )
        .await;

    assert_unauthorized(&answer, "not_authenticated");
}
