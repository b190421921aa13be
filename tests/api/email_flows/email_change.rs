//! POST /api/v1/users/me/email/ and me/email/confirm/: a new address proves itself with a code,
//! and the old address is told.

use reqwest::{Method, StatusCode};
use serde_json::json;

use super::support::{MailTest, assert_invalid_code};
use crate::helpers::{
    PASSWORD, TestApp, TestUser, assert_field_error, assert_token_pair, assert_unauthorized,
    assert_user_shape,
};

fn fresh_address() -> String {
    TestApp::new_user_body()["email"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn a_code_sent_to_the_new_address_moves_the_account_there() {
    let t = MailTest::spawn().await;
    let user = t.verified_user().await;
    let new = fresh_address();

    let asked = t
        .app
        .request_email_change(&user.access, &new, PASSWORD)
        .await;
    assert_eq!(asked.status, StatusCode::ACCEPTED, "{asked:#?}");
    let mail = t.deliver_one(&new).await;
    assert!(
        mail.subject().contains("Confirm your new"),
        "{}",
        mail.subject()
    );
    let answer = t
        .app
        .confirm_email_change(&user.access, &json!(mail.code()))
        .await;

    assert_eq!(answer.status, StatusCode::OK, "{answer:#?}");
    assert_user_shape(&answer.body);
    assert_eq!(answer.body["email"], new.as_str());
    assert_eq!(answer.body["is_email_verified"], true);
    let notice = t.deliver_one(&user.email).await;
    assert!(
        notice.subject().contains("email address was changed"),
        "{}",
        notice.subject()
    );
    assert!(
        notice.text.contains(&new),
        "the notice names the new address: {}",
        notice.text
    );
    assert_token_pair(&t.app.login(&new, PASSWORD).await);
    assert_unauthorized(
        &t.app.login(&user.email, PASSWORD).await,
        "invalid_credentials",
    );
    assert_eq!(t.app.me(&user.access).await.body["email"], new.as_str());
    assert_invalid_code(
        &t.app
            .confirm_email_change(&user.access, &json!(mail.code()))
            .await,
    );
}

#[tokio::test]
async fn a_wrong_password_or_a_taken_address_is_refused_and_sends_nothing() {
    let t = MailTest::spawn().await;
    let user = t.verified_user().await;
    let other = t.verified_user().await;

    let wrong = t
        .app
        .request_email_change(&user.access, &fresh_address(), "Not-my-password-1")
        .await;
    let taken = t
        .app
        .request_email_change(&user.access, &other.email, PASSWORD)
        .await;
    let taken_upper = t
        .app
        .request_email_change(&user.access, &other.email.to_uppercase(), PASSWORD)
        .await;
    let own = t
        .app
        .request_email_change(&user.access, &user.email, PASSWORD)
        .await;

    assert_field_error(&wrong, "password");
    assert_field_error(&taken, "email");
    assert_field_error(&taken_upper, "email");
    assert_field_error(&own, "email");
    t.deliver_none().await;
}

#[tokio::test]
async fn an_email_change_needs_a_bearer_token() {
    let t = MailTest::spawn().await;
    let body = json!({"email": fresh_address(), "password": PASSWORD});

    let request = t
        .app
        .send(Method::POST, "/api/v1/users/me/email/", None, Some(&body))
        .await;
    let confirm = t
        .app
        .send(
            Method::POST,
            "/api/v1/users/me/email/confirm/",
            None,
            Some(&json!({"code": "123456"})),
        )
        .await;

    assert_unauthorized(&request, "not_authenticated");
    assert_unauthorized(&confirm, "not_authenticated");
}

#[tokio::test]
async fn only_the_email_change_code_of_this_user_confirms() {
    let t = MailTest::spawn().await;
    let user = t.verified_user().await;
    let other = t.verified_user().await;
    let login_code = t.login_code(&user.email).await;
    let new = fresh_address();
    assert_eq!(
        t.app
            .request_email_change(&user.access, &new, PASSWORD)
            .await
            .status,
        StatusCode::ACCEPTED
    );
    let code = t.deliver_one(&new).await.code();

    let with_login_code = t
        .app
        .confirm_email_change(&user.access, &json!(login_code))
        .await;
    let by_someone_else = t
        .app
        .confirm_email_change(&other.access, &json!(code))
        .await;

    assert_invalid_code(&with_login_code);
    assert_invalid_code(&by_someone_else);
    assert_eq!(
        t.app.me(&other.access).await.body["email"],
        other.email.as_str()
    );
    let answer = t.app.confirm_email_change(&user.access, &json!(code)).await;
    assert_eq!(answer.status, StatusCode::OK, "{answer:#?}");
}

#[tokio::test]
async fn an_address_taken_while_the_code_was_in_flight_is_a_field_error() {
    let t = MailTest::spawn().await;
    let user = t.verified_user().await;
    let new = fresh_address();
    assert_eq!(
        t.app
            .request_email_change(&user.access, &new, PASSWORD)
            .await
            .status,
        StatusCode::ACCEPTED
    );
    let code = t.deliver_one(&new).await.code();
    let mut squatter = TestApp::new_user_body();
    squatter["email"] = json!(new);
    assert_eq!(t.app.register(&squatter).await.status, StatusCode::CREATED);

    let answer = t.app.confirm_email_change(&user.access, &json!(code)).await;

    assert_field_error(&answer, "email");
    assert_eq!(
        t.app.me(&user.access).await.body["email"],
        user.email.as_str()
    );
}

/// Moves `user` to a fresh address through the whole flow; returns the new address.
async fn change_email(t: &MailTest, user: &TestUser) -> String {
    let new = fresh_address();
    let asked = t
        .app
        .request_email_change(&user.access, &new, PASSWORD)
        .await;
    assert_eq!(asked.status, StatusCode::ACCEPTED, "{asked:#?}");
    let code = t.deliver_one(&new).await.code();
    let changed = t.app.confirm_email_change(&user.access, &json!(code)).await;
    assert_eq!(changed.status, StatusCode::OK, "{changed:#?}");
    t.deliver_one(&user.email).await;
    new
}

// Whoever still reads the old mailbox must not take the account back with a secret mailed there
// before the change (Django's reset tokens die with an email change, too).

#[tokio::test]
async fn a_reset_link_mailed_to_the_old_address_dies_with_the_change() {
    let t = MailTest::spawn().await;
    let user = t.verified_user().await;
    let reset = t.reset_mail(&user.email).await;
    let new = change_email(&t, &user).await;

    let by_link = t
        .app
        .submit_reset_page_json(&reset.reset_path(), "Taken-over-phrase-99")
        .await;

    assert_invalid_code(&by_link);
    assert_token_pair(&t.app.login(&new, PASSWORD).await);
}

#[tokio::test]
async fn a_login_code_mailed_to_the_old_address_dies_with_the_change() {
    let t = MailTest::spawn().await;
    let user = t.verified_user().await;
    let login = t.login_code(&user.email).await;
    let new = change_email(&t, &user).await;

    let by_code = t.app.login_with_code(&new, &json!(login)).await;

    assert_invalid_code(&by_code);
}
