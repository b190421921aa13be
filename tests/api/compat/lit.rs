//! LIT (`LIT_Test_Backend`, djoser): create → code by mail → activation → code by `user/otp/` →
//! tokens from email + code → refresh, verify → `user/me/` GET, PATCH, DELETE.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::json;

use super::{assert_pair, call, keys};
use crate::email_flows::support::{ACCEPTED_DETAIL, MailTest, assert_invalid_code};
use crate::helpers::{PASSWORD, TestApp, assert_field_error, assert_unauthorized};

const ME: &str = "/api/v1/auth/user/me/";

#[tokio::test]
async fn a_lit_client_signs_up_activates_logs_in_with_a_code_and_manages_its_account() {
    let m = MailTest::spawn().await;
    let app = &m.app;
    let body = TestApp::new_user_body();
    let email = body["email"].as_str().unwrap();

    let created = app.post("/api/v1/auth/user/", &body).await;
    assert_eq!(created.status, StatusCode::CREATED, "{created:#?}");
    assert_eq!(
        keys(&created.body),
        ["email", "first_name", "id", "last_name", "username"]
    );
    let code = m.deliver_one(email).await.code();

    // Tokens only after activation, whichever way they are asked for.
    let early = app
        .post(
            "/api/v1/auth/jwt/create/",
            &json!({"email": email, "password": PASSWORD}),
        )
        .await;
    assert_unauthorized(&early, "invalid_credentials");
    let early = app
        .post(
            "/api/v1/auth/jwt/create/",
            &json!({"email": email, "otp_code": code}),
        )
        .await;
    assert_invalid_code(&early);

    let bad = app
        .post(
            "/api/v1/auth/user/activation/",
            &json!({"email": email, "otp_code": 123_456}),
        )
        .await;
    assert_field_error(&bad, "otp_code");
    let activated = app
        .post(
            "/api/v1/auth/user/activation/",
            &json!({"email": email, "otp_code": code}),
        )
        .await;
    assert_eq!(activated.status, StatusCode::OK, "{activated:#?}");
    assert_eq!(activated.body, json!({"email": email, "otp_code": code}));

    let sent = app
        .post(
            "/api/v1/auth/user/otp/",
            &json!({"email": email, "password": PASSWORD}),
        )
        .await;
    let unknown = app
        .post(
            "/api/v1/auth/user/otp/",
            &json!({"email": "nobody@example.com"}),
        )
        .await;
    assert_eq!(sent.status, StatusCode::OK, "{sent:#?}");
    assert_eq!(sent.body, json!({"detail": ACCEPTED_DETAIL}));
    assert_eq!((unknown.status, &unknown.body), (sent.status, &sent.body));
    let login_code = m.deliver_one(email).await.code();

    let tokens = app
        .post(
            "/api/v1/auth/jwt/create/",
            &json!({"email": email, "otp_code": login_code}),
        )
        .await;
    let (_, refresh) = assert_pair(&tokens);
    let replay = app
        .post(
            "/api/v1/auth/jwt/create/",
            &json!({"email": email, "otp_code": login_code}),
        )
        .await;
    assert_invalid_code(&replay);

    let refreshed = app
        .post("/api/v1/auth/jwt/refresh/", &json!({"refresh": refresh}))
        .await;
    let (access, _) = assert_pair(&refreshed);
    let verified = app
        .post("/api/v1/auth/jwt/verify/", &json!({"token": access}))
        .await;
    assert_eq!(
        (verified.status, &verified.body),
        (StatusCode::OK, &json!({}))
    );
}

#[tokio::test]
async fn a_lit_client_reads_patches_and_deletes_its_own_account() {
    let m = MailTest::spawn().await;
    let user = m.verified_user().await;
    let app = &m.app;
    let tokens = app
        .post(
            "/api/v1/auth/jwt/create/",
            &json!({"email": user.email, "password": PASSWORD}),
        )
        .await;
    let (access, _) = assert_pair(&tokens);
    let me = app.get(ME, Some(&access)).await;
    assert_eq!(me.status, StatusCode::OK, "{me:#?}");
    assert_eq!(
        keys(&me.body),
        ["email", "first_name", "id", "last_name", "username"]
    );
    assert_eq!(me.body["id"], user.id);

    let patch = json!({"first_name": "Ada", "username": "ada_lit"});
    let patched = call(app, Method::PATCH, ME, Some(&access), &patch).await;
    assert_eq!(patched.status, StatusCode::OK, "{patched:#?}");
    assert_eq!(
        (
            patched.body["first_name"].as_str(),
            patched.body["username"].as_str()
        ),
        (Some("Ada"), Some("ada_lit"))
    );
    let sneaky = call(
        app,
        Method::PATCH,
        ME,
        Some(&access),
        &json!({"password": "x"}),
    )
    .await;
    assert_field_error(&sneaky, "password");

    let wrong = call(
        app,
        Method::DELETE,
        ME,
        Some(&access),
        &json!({"current_password": "nope-nope"}),
    )
    .await;
    assert_field_error(&wrong, "current_password");
    let deleted = call(
        app,
        Method::DELETE,
        ME,
        Some(&access),
        &json!({"current_password": PASSWORD}),
    )
    .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{deleted:#?}");
    assert_eq!(
        app.get(ME, Some(&access)).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn lit_user_otp_sends_a_stuck_inactive_account_a_new_activation_code() {
    let m = MailTest::spawn().await;
    let app = &m.app;
    let (body, _) = m.register().await;
    let email = body["email"].as_str().unwrap();
    app.clock.advance(Duration::from_mins(11));
    let sent = app
        .post("/api/v1/auth/user/otp/", &json!({"email": email}))
        .await;
    assert_eq!(sent.status, StatusCode::OK, "{sent:#?}");
    let code = m.deliver_one(email).await.code();
    let activated = app
        .post(
            "/api/v1/auth/user/activation/",
            &json!({"email": email, "otp_code": code}),
        )
        .await;
    assert_eq!(activated.status, StatusCode::OK, "{activated:#?}");
    let tokens = app
        .post(
            "/api/v1/auth/jwt/create/",
            &json!({"email": email, "password": PASSWORD}),
        )
        .await;
    assert_pair(&tokens);
}
