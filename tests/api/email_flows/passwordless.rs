//! POST /api/v1/auth/otp/ and token/otp/: logging in with an emailed code; and purpose binding
//! between login and activation codes.

use gatehouse::config::EmailVerification;
use reqwest::StatusCode;
use serde_json::json;

use super::support::{MailTest, assert_accepted, assert_invalid_code};
use crate::helpers::{PASSWORD, TestApp, assert_token_pair, assert_user_shape, claims};

#[tokio::test]
async fn an_emailed_code_logs_in_without_a_password() {
    let t = MailTest::spawn().await;
    let user = t.verified_user().await;

    assert_accepted(&t.app.request_login_code(&user.email).await);
    let mail = t.deliver_one(&user.email).await;
    assert!(mail.subject().contains("login code"), "{}", mail.subject());
    assert!(mail.text.contains("expires in 10 minutes"), "{}", mail.text);
    let answer = t
        .app
        .login_with_code(&user.email, &json!(mail.code()))
        .await;

    assert_token_pair(&answer);
    assert_user_shape(&answer.body["user"]);
    assert_eq!(answer.body["user"]["id"], user.id);
    assert_ne!(
        claims(answer.str("access"))["sid"],
        claims(&user.access)["sid"],
        "a new session"
    );
    let me = t.app.me(answer.str("access")).await;
    assert_eq!(me.status, StatusCode::OK, "{me:#?}");
    assert_eq!(me.body["email"], user.email.as_str());
}

#[tokio::test]
async fn a_login_code_works_only_once() {
    let t = MailTest::spawn().await;
    let user = t.verified_user().await;
    let code = json!(t.login_code(&user.email).await);
    assert_token_pair(&t.app.login_with_code(&user.email, &code).await);

    let again = t.app.login_with_code(&user.email, &code).await;

    assert_invalid_code(&again);
}

#[tokio::test]
async fn a_login_code_request_for_an_unknown_or_inactive_address_sends_nothing() {
    let t = MailTest::spawn().await;
    let (inactive, _) = t.register().await;

    let unknown = t.app.request_login_code("nobody-here@example.com").await;
    let not_active = t
        .app
        .request_login_code(inactive["email"].as_str().unwrap())
        .await;

    assert_accepted(&unknown);
    assert_accepted(&not_active);
    t.deliver_none().await;
}

#[tokio::test]
async fn a_login_code_cannot_activate_an_account() {
    // Verification off: an active, unverified account can get a login code.
    let t = MailTest::spawn_with(|c| c.email_verification = EmailVerification::Off).await;
    let body = TestApp::new_user_body();
    assert_eq!(t.app.register(&body).await.status, StatusCode::CREATED);
    let email = body["email"].as_str().unwrap();
    let code = t.login_code(email).await;

    let answer = t.app.verify_registration(email, &json!(code)).await;

    assert_invalid_code(&answer);
    let login = t.app.login(email, PASSWORD).await;
    assert_eq!(login.body["user"]["is_email_verified"], false, "{login:#?}");
    assert_token_pair(&t.app.login_with_code(email, &json!(code)).await);
}

#[tokio::test]
async fn an_activation_code_cannot_log_in() {
    let t = MailTest::spawn_with(|c| c.email_verification = EmailVerification::Off).await;
    let body = TestApp::new_user_body();
    assert_eq!(t.app.register(&body).await.status, StatusCode::CREATED);
    let email = body["email"].as_str().unwrap();
    assert_accepted(&t.app.resend_activation(email).await);
    let code = json!(t.deliver_one(email).await.code());

    let answer = t.app.login_with_code(email, &code).await;

    assert_invalid_code(&answer);
    let verified = t.app.verify_registration(email, &code).await;
    assert_eq!(
        verified.status,
        StatusCode::OK,
        "the code still activates: {verified:#?}"
    );
}

#[tokio::test]
async fn an_inactive_account_cannot_log_in_with_its_activation_code() {
    let t = MailTest::spawn().await;
    let (body, mail) = t.register().await;
    let email = body["email"].as_str().unwrap();

    let answer = t.app.login_with_code(email, &json!(mail.code())).await;

    assert_invalid_code(&answer);
    let verified = t.app.verify_registration(email, &json!(mail.code())).await;
    assert_eq!(verified.status, StatusCode::OK, "{verified:#?}");
}

/// As for resends: a login code goes to the stored address, not to the spelling asked for.
#[tokio::test]
async fn a_login_code_is_mailed_to_the_stored_address_whatever_case_was_asked() {
    let t = MailTest::spawn().await;
    let user = t.verified_user().await;
    let upper = user.email.to_uppercase();

    assert_accepted(&t.app.request_login_code(&upper).await);
    let mail = t.deliver_one(&user.email).await;
    let answer = t.app.login_with_code(&upper, &json!(mail.code())).await;

    assert_token_pair(&answer);
    assert_eq!(answer.body["user"]["email"], user.email.as_str());
}
