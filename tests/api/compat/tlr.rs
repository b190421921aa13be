//! TLR (`tailor_api`): register → code by mail → verify-otp (with the email) → login → refresh →
//! change password → logout, and the code-based password reset.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::json;

use super::{assert_pair, call, keys};
use crate::email_flows::support::{MailTest, NEW_PASSWORD, assert_invalid_code};
use crate::helpers::{PASSWORD, TestApp, assert_field_error, assert_unauthorized};

#[tokio::test]
async fn a_tlr_client_registers_verifies_logs_in_changes_its_password_and_logs_out() {
    let m = MailTest::spawn().await;
    let app = &m.app;
    let body = TestApp::new_user_body();
    let email = body["email"].as_str().unwrap();

    let registered = app.post("/auth/api/register/", &body).await;
    assert_eq!(registered.status, StatusCode::CREATED, "{registered:#?}");
    assert_eq!(keys(&registered.body), ["id", "status"]);
    assert_eq!(registered.body["status"], "success");
    assert!(uuid::Uuid::parse_str(registered.str("id")).is_ok());
    let code = m.deliver_one(email).await.code();

    // The seed took the code alone; here it needs the address it was sent to.
    let bare = app
        .get(&format!("/auth/api/register/verify-otp/{code}/"), None)
        .await;
    assert_field_error(&bare, "email");
    let early = app
        .post(
            "/auth/api/login/",
            &json!({"email": email, "password": PASSWORD}),
        )
        .await;
    assert_unauthorized(&early, "invalid_credentials");

    let path = format!("/auth/api/register/verify-otp/{code}/?email={email}");
    let verified = app.get(&path, None).await;
    assert_eq!(verified.status, StatusCode::OK, "{verified:#?}");
    assert_eq!(
        verified.body,
        json!({"status": "success", "message": "verification complete"})
    );
    assert_invalid_code(&app.get(&path, None).await);

    let login = app
        .post(
            "/auth/api/login/",
            &json!({"email": email, "password": PASSWORD}),
        )
        .await;
    let (_, refresh) = assert_pair(&login);
    let refreshed = app
        .post(
            "/auth/api/login/token/refresh/",
            &json!({"refresh": refresh}),
        )
        .await;
    let (access, _) = assert_pair(&refreshed);

    let same =
        json!({"old_password": PASSWORD, "new_password1": PASSWORD, "new_password2": PASSWORD});
    let refused = call(
        app,
        Method::PUT,
        "/auth/api/change-password/",
        Some(&access),
        &same,
    )
    .await;
    assert_field_error(&refused, "new_password1");
    let change = json!({"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD});
    let changed = call(
        app,
        Method::PATCH,
        "/auth/api/change-password/",
        Some(&access),
        &change,
    )
    .await;
    let (access, refresh) = assert_pair(&changed);
    assert_eq!(changed.body["status"], "success");

    let out = call(
        app,
        Method::POST,
        "/auth/api/logout/",
        Some(&access),
        &json!({"refresh_token": refresh}),
    )
    .await;
    assert_eq!(out.status, StatusCode::RESET_CONTENT, "{out:#?}");
    let dead = app
        .post(
            "/auth/api/login/token/refresh/",
            &json!({"refresh": refresh}),
        )
        .await;
    assert_unauthorized(&dead, "token_not_valid");
    let login = app
        .post(
            "/auth/api/login/",
            &json!({"email": email, "password": NEW_PASSWORD}),
        )
        .await;
    assert_pair(&login);
}

#[tokio::test]
async fn tlr_verify_otp_takes_the_email_from_the_body_and_refuses_another_accounts_code() {
    let m = MailTest::spawn().await;
    let app = &m.app;
    let (ann, ann_mail) = m.register().await;
    let (bob, _) = m.register().await;
    let path = format!("/auth/api/register/verify-otp/{}/", ann_mail.code());
    let foreign = call(
        app,
        Method::POST,
        &path,
        None,
        &json!({"email": bob["email"]}),
    )
    .await;
    assert_invalid_code(&foreign);
    let own = call(
        app,
        Method::POST,
        &path,
        None,
        &json!({"email": ann["email"]}),
    )
    .await;
    assert_eq!(own.status, StatusCode::OK, "{own:#?}");
    let short = app
        .get(
            "/auth/api/register/verify-otp/12345/?email=a@example.com",
            None,
        )
        .await;
    assert_field_error(&short, "otp");
}

#[tokio::test]
async fn tlr_resend_otp_answers_the_same_for_any_address_and_mails_a_new_code() {
    let m = MailTest::spawn().await;
    let app = &m.app;
    let (body, first) = m.register().await;
    let email = body["email"].as_str().unwrap();
    app.clock.advance(Duration::from_secs(61));
    let known = call(
        app,
        Method::PUT,
        "/auth/api/register/resend-otp/",
        None,
        &json!({"email": email}),
    )
    .await;
    let unknown = call(
        app,
        Method::PATCH,
        "/auth/api/register/resend-otp/",
        None,
        &json!({"email": "nobody@example.com"}),
    )
    .await;
    assert_eq!(known.status, StatusCode::OK, "{known:#?}");
    assert_eq!(known.body, json!({"status": "success"}));
    assert_eq!((unknown.status, &unknown.body), (known.status, &known.body));
    let second = m.deliver_one(email).await.code();
    let stale = format!(
        "/auth/api/register/verify-otp/{}/?email={email}",
        first.code()
    );
    if first.code() != second {
        assert_invalid_code(&app.get(&stale, None).await);
    }
    let fresh = format!("/auth/api/register/verify-otp/{second}/?email={email}");
    assert_eq!(app.get(&fresh, None).await.status, StatusCode::OK);
}

#[tokio::test]
async fn tlr_password_reset_validates_and_confirms_a_code_only_with_its_email() {
    let m = MailTest::spawn().await;
    let user = m.verified_user().await;
    let app = &m.app;
    let known = app
        .post("/auth/api/password-reset/", &json!({"email": user.email}))
        .await;
    let unknown = app
        .post(
            "/auth/api/password-reset/",
            &json!({"email": "nobody@example.com"}),
        )
        .await;
    assert_eq!(known.status, StatusCode::OK, "{known:#?}");
    assert_eq!(known.body, json!({"status": "OK"}));
    assert_eq!((unknown.status, &unknown.body), (known.status, &known.body));
    let code = m.deliver_one(&user.email).await.code();

    let bare = app
        .post(
            "/auth/api/password-reset/validate_token/",
            &json!({"token": code}),
        )
        .await;
    assert_field_error(&bare, "email");
    let valid = app
        .post(
            "/auth/api/password-reset/validate_token/",
            &json!({"email": user.email, "token": code}),
        )
        .await;
    assert_eq!(valid.body, json!({"status": "OK"}), "{valid:#?}");
    let weak = json!({"email": user.email, "token": code, "password": "123"});
    assert_field_error(
        &app.post("/auth/api/password-reset/confirm/", &weak).await,
        "password",
    );
    let confirm = json!({"email": user.email, "token": code, "password": NEW_PASSWORD});
    let done = app
        .post("/auth/api/password-reset/confirm/", &confirm)
        .await;
    assert_eq!(
        (done.status, &done.body),
        (StatusCode::OK, &json!({"status": "OK"})),
        "{done:#?}"
    );
    assert_invalid_code(
        &app.post("/auth/api/password-reset/confirm/", &confirm)
            .await,
    );
    assert_unauthorized(&app.refresh(&user.refresh).await, "token_not_valid");
    app.login_tokens(&user.username, NEW_PASSWORD).await;
}

#[tokio::test]
async fn tlr_logout_with_someone_elses_refresh_token_leaves_it_alive() {
    let app = TestApp::spawn().await;
    let ann = app.register_and_login().await;
    let bob = app.register_and_login().await;
    let body = json!({"refresh_token": bob.refresh});
    let out = call(
        &app,
        Method::POST,
        "/auth/api/logout/",
        Some(&ann.access),
        &body,
    )
    .await;
    assert_eq!(out.status, StatusCode::RESET_CONTENT, "{out:#?}");
    assert_pair(&app.refresh(&bob.refresh).await);
}
