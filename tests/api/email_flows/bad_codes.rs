//! Codes that are malformed, foreign, used up or guessed: each a clear 400, never a 5xx.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::password_reset::with_password;
use super::support::{MailTest, NEW_PASSWORD, assert_accepted, assert_invalid_code, other_code};
use crate::helpers::{Answer, assert_field_error, assert_token_pair};

/// Malformed codes: letters, too short, too long, a number, empty.
fn malformed() -> [Value; 6] {
    [
        json!("12a456"),
        json!("12345"),
        json!("1234567"),
        json!(123_456),
        json!(""),
        json!("12 456"),
    ]
}

#[tokio::test]
async fn malformed_codes_are_code_field_errors_on_every_endpoint() {
    let t = MailTest::spawn().await;
    let user = t.verified_user().await;
    let email = user.email.as_str();

    for code in malformed() {
        let answers: [(&str, Answer); 5] = [
            ("register/verify", t.app.verify_registration(email, &code).await),
            ("token/otp", t.app.login_with_code(email, &code).await),
            ("password/reset/verify", t.app.verify_reset_code(email, &code).await),
            (
                "password/reset/confirm",
                t.app.confirm_password_reset(&json!({"email": email, "code": code, "new_password": NEW_PASSWORD, "re_new_password": NEW_PASSWORD})).await,
            ),
            ("me/email/confirm", t.app.confirm_email_change(&user.access, &code).await),
        ];

        for (endpoint, answer) in &answers {
            assert!(
                answer.status.is_client_error(),
                "{endpoint} {code}: {answer:#?}"
            );
            let messages = assert_field_error(answer, "code");
            assert!(!messages[0].is_empty(), "{endpoint} {code}");
        }
    }
}

#[tokio::test]
async fn malformed_codes_do_not_count_as_attempts() {
    let t = MailTest::spawn().await;
    let (body, mail) = t.register().await;
    let email = body["email"].as_str().unwrap();

    for _ in 0..2 {
        for code in malformed() {
            assert_field_error(&t.app.verify_registration(email, &code).await, "code");
        }
    }

    let answer = t.app.verify_registration(email, &json!(mail.code())).await;
    assert_eq!(answer.status, StatusCode::OK, "{answer:#?}");
}

#[tokio::test]
async fn a_code_is_void_after_five_wrong_attempts() {
    let t = MailTest::spawn().await;
    let (body, mail) = t.register().await;
    let email = body["email"].as_str().unwrap();
    let wrong = json!(other_code(&mail.code()));

    for _ in 0..5 {
        assert_invalid_code(&t.app.verify_registration(email, &wrong).await);
    }
    let right = t.app.verify_registration(email, &json!(mail.code())).await;

    assert_invalid_code(&right);
    t.app.clock.advance(Duration::from_secs(61));
    assert_accepted(&t.app.resend_activation(email).await);
    let fresh = t.deliver_one(email).await.code();
    let answer = t.app.verify_registration(email, &json!(fresh)).await;
    assert_eq!(
        answer.status,
        StatusCode::OK,
        "a new code works: {answer:#?}"
    );
}

#[tokio::test]
async fn four_wrong_attempts_leave_the_code_usable() {
    let t = MailTest::spawn().await;
    let user = t.verified_user().await;
    let code = t.login_code(&user.email).await;

    for _ in 0..4 {
        assert_invalid_code(
            &t.app
                .login_with_code(&user.email, &json!(other_code(&code)))
                .await,
        );
    }
    let answer = t.app.login_with_code(&user.email, &json!(code)).await;

    assert_token_pair(&answer);
}

#[tokio::test]
async fn a_code_of_another_user_is_refused() {
    let t = MailTest::spawn().await;
    let (ann, from_ann) = t.register().await;
    let (bob, from_bob) = t.register().await;
    let bob_address = bob["email"].as_str().unwrap();

    let answer = t
        .app
        .verify_registration(bob_address, &json!(from_ann.code()))
        .await;

    if from_ann.code() != from_bob.code() {
        assert_invalid_code(&answer);
    }
    let ann_address = ann["email"].as_str().unwrap();
    assert_eq!(
        t.app
            .verify_registration(ann_address, &json!(from_ann.code()))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        t.app
            .verify_registration(bob_address, &json!(from_bob.code()))
            .await
            .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn codes_of_other_purposes_are_refused() {
    let t = MailTest::spawn().await;
    let user = t.verified_user().await;
    let login = json!(t.login_code(&user.email).await);
    let reset = json!(t.reset_mail(&user.email).await.code());

    let reset_as_login = t.app.login_with_code(&user.email, &reset).await;
    let login_as_reset = t.app.verify_reset_code(&user.email, &login).await;
    let login_as_activation = t.app.verify_registration(&user.email, &login).await;

    assert_invalid_code(&reset_as_login);
    assert_invalid_code(&login_as_reset);
    assert_invalid_code(&login_as_activation);
    assert_token_pair(&t.app.login_with_code(&user.email, &login).await);
    let verified = t.app.verify_reset_code(&user.email, &reset).await;
    assert_eq!(verified.status, StatusCode::OK, "{verified:#?}");
}

#[tokio::test]
async fn code_endpoints_refuse_bodies_that_are_not_json_objects() {
    let t = MailTest::spawn().await;

    for path in [
        "/api/v1/auth/register/verify/",
        "/api/v1/auth/token/otp/",
        "/api/v1/auth/password/reset/verify/",
    ] {
        let list = t
            .app
            .send(Method::POST, path, None, Some(&json!(["123456"])))
            .await;
        let broken = t
            .app
            .send_raw(
                Method::POST,
                path,
                None,
                Some("application/json"),
                b"{\"code\":".to_vec(),
            )
            .await;
        let empty = t
            .app
            .send_raw(Method::POST, path, None, None, Vec::new())
            .await;

        assert_field_error(&list, "non_field_errors");
        assert_eq!(broken.status, StatusCode::BAD_REQUEST, "{broken:#?}");
        assert_eq!(broken.body["code"], "parse_error", "{broken:#?}");
        assert_eq!(
            assert_field_error(&empty, "code"),
            ["This field is required."]
        );
        assert_field_error(&empty, "email");
    }
}

#[tokio::test]
async fn a_confirmation_without_any_proof_is_a_field_error() {
    let t = MailTest::spawn().await;

    let answer = t
        .app
        .confirm_password_reset(&with_password(json!({}), NEW_PASSWORD))
        .await;
    let only_email = t
        .app
        .confirm_password_reset(&with_password(
            json!({"email": "a@example.com"}),
            NEW_PASSWORD,
        ))
        .await;

    assert_field_error(&answer, "reset_token");
    assert_field_error(&only_email, "code");
}
