//! The TOTP second factor's enrolment and disabling, who may call them, and bad input.

use gatehouse_domain::{AuditQuery, UserId};
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{
    PASSWORD, TestApp, assert_drf_error, assert_field_error, assert_token_pair, assert_unauthorized,
};

#[tokio::test]
async fn disabling_needs_the_password_and_a_code_then_logins_are_single_step() {
    let app = TestApp::spawn().await;
    let user = app.register_and_login().await;
    let totp = app.turn_on_totp(&user).await;
    let code = app.totp_now(&totp.secret);

    let no_password = app
        .disable_totp(
            &user.access,
            &json!({"password": "wrong-Passw0rd!", "code": code}),
        )
        .await;
    assert_field_error(&no_password, "password");
    let no_code = app
        .disable_totp(
            &user.access,
            &json!({"password": PASSWORD, "code": "123-not"}),
        )
        .await;
    assert_field_error(&no_code, "code");
    let missing = app
        .disable_totp(&user.access, &json!({"password": PASSWORD}))
        .await;
    assert_field_error(&missing, "code");
    assert_eq!(
        app.login(&user.username, PASSWORD).await.body["mfa_required"],
        true
    );
    let off = app
        .disable_totp(&user.access, &json!({"password": PASSWORD, "code": code}))
        .await;

    assert_eq!(off.status, StatusCode::NO_CONTENT, "{off:#?}");
    assert_token_pair(&app.login(&user.username, PASSWORD).await);
    let again = app
        .disable_totp(&user.access, &json!({"password": PASSWORD, "code": code}))
        .await;
    assert_drf_error(&again, StatusCode::CONFLICT, "conflict");
    let query = AuditQuery {
        user: Some(UserId(user.id)),
        limit: 100,
        ..AuditQuery::default()
    };
    let entries = app.store().audit_entries(&query).await.unwrap().entries;
    let events: Vec<_> = entries.iter().map(|e| e.entry.event.as_str()).collect();
    for event in ["mfa.enabled", "mfa.failed", "mfa.disabled"] {
        assert!(events.contains(&event), "{event} not in {events:?}");
    }
}

#[tokio::test]
async fn a_recovery_code_can_disable_totp() {
    let app = TestApp::spawn().await;
    let user = app.register_and_login().await;
    let totp = app.turn_on_totp(&user).await;
    let body = json!({"password": PASSWORD, "code": totp.recovery_codes[0]});

    let off = app.disable_totp(&user.access, &body).await;

    assert_eq!(off.status, StatusCode::NO_CONTENT, "{off:#?}");
    assert_token_pair(&app.login(&user.username, PASSWORD).await);
}

#[tokio::test]
async fn the_mfa_endpoints_need_authentication() {
    let app = TestApp::spawn().await;
    let code = json!({"code": "123456"});
    let paths = [
        "/api/v1/auth/mfa/totp/",
        "/api/v1/auth/mfa/totp/confirm/",
        "/api/v1/auth/mfa/totp/disable/",
    ];

    for path in paths {
        let answer = app.send(Method::POST, path, None, Some(&code)).await;
        assert_unauthorized(&answer, "not_authenticated");
    }
    let forged = app.enrol_totp(Some("not-a-token")).await;
    assert_eq!(forged.status, StatusCode::UNAUTHORIZED, "{forged:#?}");
}

#[tokio::test]
async fn a_new_enrolment_replaces_an_unconfirmed_one_and_a_confirmed_one_stays() {
    let app = TestApp::spawn().await;
    let user = app.register_and_login().await;
    let old = app
        .enrol_totp(Some(&user.access))
        .await
        .str("secret")
        .to_owned();
    let new = app
        .enrol_totp(Some(&user.access))
        .await
        .str("secret")
        .to_owned();
    assert_ne!(old, new);

    let stale = app
        .confirm_totp(&user.access, &json!({"code": app.totp_now(&old)}))
        .await;
    if app.totp_now(&old) != app.totp_now(&new) {
        assert_field_error(&stale, "code");
    }
    let confirmed = app
        .confirm_totp(&user.access, &json!({"code": app.totp_now(&new)}))
        .await;
    assert_eq!(confirmed.status, StatusCode::OK, "{confirmed:#?}");
    let again = app.enrol_totp(Some(&user.access)).await;
    assert_drf_error(&again, StatusCode::CONFLICT, "conflict");
}

#[tokio::test]
async fn bad_mfa_input_gets_a_clear_4xx_never_a_500() {
    let app = TestApp::spawn().await;
    let user = app.register_and_login().await;
    let early = app
        .confirm_totp(&user.access, &json!({"code": "123456"}))
        .await;
    assert_drf_error(&early, StatusCode::CONFLICT, "conflict");
    let totp = app.turn_on_totp(&user).await;
    let token = app.mfa_token(&user).await;
    let code = app.totp_now(&totp.secret);

    for (body, field) in [
        (json!({"code": code}), "mfa_token"),
        (json!({"mfa_token": token}), "code"),
        (json!({"mfa_token": token, "code": "12345"}), "code"),
        (json!({"mfa_token": token, "code": "12345a"}), "code"),
        (json!({"mfa_token": token, "code": ""}), "code"),
        (
            json!({"mfa_token": token, "code": code, "recovery_code": "x"}),
            "non_field_errors",
        ),
    ] {
        assert_field_error(&app.complete_mfa(&body).await, field);
    }
    let number = app
        .complete_mfa(&json!({"mfa_token": token, "code": 123_456}))
        .await;
    assert_eq!(number.status, StatusCode::BAD_REQUEST, "{number:#?}");
    let garbage = app
        .send_raw(
            Method::POST,
            "/api/v1/auth/token/mfa/",
            None,
            Some("application/json"),
            b"{".to_vec(),
        )
        .await;
    assert_eq!(garbage.status, StatusCode::BAD_REQUEST, "{garbage:#?}");
    let unknown = app
        .complete_mfa(&json!({"mfa_token": "x".repeat(500), "code": code}))
        .await;
    assert_unauthorized(&unknown, "invalid_mfa_token");
    let bad_recovery = app
        .complete_mfa(&json!({"mfa_token": token, "recovery_code": "no such code"}))
        .await;
    assert_unauthorized(&bad_recovery, "invalid_mfa_code");
    let wrong_confirm = app
        .confirm_totp(&user.access, &json!({"code": "12x456"}))
        .await;
    assert_field_error(&wrong_confirm, "code");
    assert_token_pair(
        &app.complete_mfa(&json!({"mfa_token": token, "code": code}))
            .await,
    );
}
