//! SIN (Sindion): login, refresh, change-password by pk, reset link, logout.

use reqwest::{Method, StatusCode};
use serde_json::json;

use super::{assert_pair, call, keys};
use crate::email_flows::support::{MailTest, NEW_PASSWORD, assert_invalid_code};
use crate::helpers::{PASSWORD, TestApp, assert_drf_error, assert_unauthorized};

#[tokio::test]
async fn a_sin_client_logs_in_refreshes_changes_its_password_and_logs_out() {
    let m = MailTest::spawn().await;
    let user = m.verified_user().await;
    let app = &m.app;

    let login = app
        .post(
            "/api/login/",
            &json!({"username": user.username, "password": PASSWORD}),
        )
        .await;
    let (access, refresh) = assert_pair(&login);
    assert_eq!(login.body["detail"], "Logged in Successfully", "{login:#?}");
    assert_eq!(
        login.body["token"],
        json!({"access": access, "refresh": refresh})
    );
    assert_eq!(login.body["data"]["username"], user.username.as_str());
    assert_eq!(login.body["data"]["is_activated"], true);
    assert_eq!(login.header("cache-control"), Some("no-store"));

    let refreshed = app
        .post("/api/token/refresh/", &json!({"refresh": refresh}))
        .await;
    let (access, _) = assert_pair(&refreshed);

    let path = format!("/api/change-password/{}/", user.id);
    let body = json!({
        "old_password": PASSWORD,
        "new_password": NEW_PASSWORD,
        "confirm_new_password": NEW_PASSWORD,
    });
    let changed = call(app, Method::PUT, &path, Some(&access), &body).await;
    let (access, refresh) = assert_pair(&changed);
    assert_eq!(changed.body["detail"], "Password updated successfully");
    let mismatch = json!({
        "old_password": NEW_PASSWORD,
        "new_password": "Another-phrase-3141",
        "confirm_new_password": "Another-phrase-3142",
    });
    let refused = call(app, Method::PATCH, &path, Some(&access), &mismatch).await;
    assert!(
        refused.body["confirm_new_password"].is_array(),
        "{refused:#?}"
    );

    let old = app
        .post(
            "/api/login/",
            &json!({"username": user.username, "password": PASSWORD}),
        )
        .await;
    assert_unauthorized(&old, "invalid_credentials");
    let again = app
        .post(
            "/api/login/",
            &json!({"email": user.email, "password": NEW_PASSWORD}),
        )
        .await;
    assert_pair(&again);

    let out = call(
        app,
        Method::POST,
        "/api/logout/",
        Some(&access),
        &json!({"refresh": refresh}),
    )
    .await;
    assert_eq!(out.status, StatusCode::NO_CONTENT, "{out:#?}");
    let dead = app
        .post("/api/token/refresh/", &json!({"refresh": refresh}))
        .await;
    assert_unauthorized(&dead, "token_not_valid");
}

#[tokio::test]
async fn sin_change_password_for_another_pk_is_refused_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let ann = app.register_and_login().await;
    let bob = app.register_and_login().await;
    let body = json!({
        "old_password": PASSWORD,
        "new_password": NEW_PASSWORD,
        "confirm_new_password": NEW_PASSWORD,
    });
    for method in [Method::PUT, Method::PATCH] {
        let path = format!("/api/change-password/{}/", bob.id);
        let refused = call(&app, method.clone(), &path, Some(&ann.access), &body).await;
        assert_drf_error(&refused, StatusCode::FORBIDDEN, "permission_denied");
        let nonsense = call(
            &app,
            method,
            "/api/change-password/x/",
            Some(&ann.access),
            &body,
        )
        .await;
        assert_drf_error(&nonsense, StatusCode::FORBIDDEN, "permission_denied");
    }
    let anonymous = call(
        &app,
        Method::PUT,
        &format!("/api/change-password/{}/", ann.id),
        None,
        &body,
    )
    .await;
    assert_unauthorized(&anonymous, "not_authenticated");
    app.login_tokens(&bob.username, PASSWORD).await;
    app.login_tokens(&ann.username, PASSWORD).await;
    let bobs_session = app.refresh(&bob.refresh).await;
    assert_pair(&bobs_session);
}

#[tokio::test]
async fn sin_reset_request_is_uniform_and_its_emailed_link_resets_the_password() {
    let m = MailTest::spawn().await;
    let user = m.verified_user().await;
    let app = &m.app;

    let known = app
        .post(
            "/api/request-reset-password/",
            &json!({"email": user.email}),
        )
        .await;
    let unknown = app
        .post(
            "/api/request-reset-password",
            &json!({"email": "nobody@example.com"}),
        )
        .await;
    assert_eq!(known.status, StatusCode::OK, "{known:#?}");
    assert_eq!((unknown.status, &unknown.body), (known.status, &known.body));
    assert_eq!(keys(&known.body), ["detail"]);
    let mail = m.deliver_one(&user.email).await;

    // An access token is no reset token (the seed's hole).
    let forged = app
        .submit_reset_page_json(
            &format!("/api/reset-password/?token={}", user.access),
            NEW_PASSWORD,
        )
        .await;
    assert_invalid_code(&forged);

    let reset = app
        .submit_reset_page_json(&mail.reset_path(), NEW_PASSWORD)
        .await;
    assert_eq!(reset.status, StatusCode::OK, "{reset:#?}");
    let login = app
        .post(
            "/api/login/",
            &json!({"username": user.username, "password": NEW_PASSWORD}),
        )
        .await;
    assert_pair(&login);
    let reused = app
        .submit_reset_page_json(&mail.reset_path(), "Yet-another-phrase-1618")
        .await;
    assert_invalid_code(&reused);
}

#[tokio::test]
async fn sin_logout_with_someone_elses_refresh_token_leaves_it_alive() {
    let app = TestApp::spawn().await;
    let ann = app.register_and_login().await;
    let bob = app.register_and_login().await;
    let out = call(
        &app,
        Method::POST,
        "/api/logout/",
        Some(&ann.access),
        &json!({"refresh": bob.refresh}),
    )
    .await;
    assert_eq!(out.status, StatusCode::NO_CONTENT, "{out:#?}");
    assert_pair(&app.refresh(&bob.refresh).await);
    assert_unauthorized(&app.refresh(&ann.refresh).await, "token_not_valid");
}
