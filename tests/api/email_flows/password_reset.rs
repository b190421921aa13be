//! POST /api/v1/auth/password/reset/, reset/verify/ and reset/confirm/: the code shape and the
//! code-then-token shape (the link shape is in `reset_link.rs`).

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::support::{MailTest, NEW_PASSWORD, assert_accepted, assert_invalid_code};
use crate::helpers::{
    PASSWORD, TestUser, assert_field_error, assert_token_pair, assert_unauthorized,
};

/// After a reset: every earlier session is over at once, only the new password logs in, and a
/// notice went to the account's address.
pub async fn assert_reset_took_effect(
    t: &MailTest,
    user: &TestUser,
    sessions: &[(String, String)],
) {
    for (access, refresh) in sessions {
        assert_unauthorized(&t.app.me(access).await, "token_not_valid");
        assert_unauthorized(&t.app.refresh(refresh).await, "token_not_valid");
    }
    assert_unauthorized(
        &t.app.login(&user.username, PASSWORD).await,
        "invalid_credentials",
    );
    assert_token_pair(&t.app.login(&user.username, NEW_PASSWORD).await);
    let notice = t.deliver_one(&user.email).await;
    assert!(
        notice.subject().contains("password was changed"),
        "{}",
        notice.subject()
    );
    assert!(!notice.html.is_empty());
}

/// A verified user with two sessions, and both token pairs.
pub async fn user_with_two_sessions(t: &MailTest) -> (TestUser, Vec<(String, String)>) {
    let user = t.verified_user().await;
    let second = t.app.login_tokens(&user.username, PASSWORD).await;
    let sessions = vec![(user.access.clone(), user.refresh.clone()), second];
    (user, sessions)
}

pub fn with_password(mut proof: Value, password: &str) -> Value {
    proof["new_password"] = json!(password);
    proof["re_new_password"] = json!(password);
    proof
}

#[tokio::test]
async fn a_reset_with_the_emailed_code_ends_every_session() {
    let t = MailTest::spawn().await;
    let (user, sessions) = user_with_two_sessions(&t).await;
    let mail = t.reset_mail(&user.email).await;
    assert!(
        mail.text.contains("The code expires in 10 minutes"),
        "{}",
        mail.text
    );
    assert!(
        mail.text.contains("The link expires in 1 hour"),
        "{}",
        mail.text
    );

    let body = json!({"email": user.email, "code": mail.code()});
    let answer = t
        .app
        .confirm_password_reset(&with_password(body.clone(), NEW_PASSWORD))
        .await;

    assert_eq!(answer.status, StatusCode::OK, "{answer:#?}");
    assert!(!answer.str("detail").is_empty());
    assert_reset_took_effect(&t, &user, &sessions).await;
    assert_invalid_code(
        &t.app
            .confirm_password_reset(&with_password(body, "Third-phrase-1618"))
            .await,
    );
}

#[tokio::test]
async fn a_verified_code_becomes_a_reset_token_that_resets_once() {
    let t = MailTest::spawn().await;
    let (user, sessions) = user_with_two_sessions(&t).await;
    let mail = t.reset_mail(&user.email).await;

    let verified = t
        .app
        .verify_reset_code(&user.email, &json!(mail.code()))
        .await;
    assert_eq!(verified.status, StatusCode::OK, "{verified:#?}");
    assert_eq!(verified.body["expires_in"], 600, "{verified:#?}");
    let token = json!({"reset_token": verified.str("reset_token")});
    let answer = t
        .app
        .confirm_password_reset(&with_password(token.clone(), NEW_PASSWORD))
        .await;

    assert_eq!(answer.status, StatusCode::OK, "{answer:#?}");
    assert_reset_took_effect(&t, &user, &sessions).await;
    let reused = t
        .app
        .confirm_password_reset(&with_password(token, "Third-phrase-1618"))
        .await;
    assert_invalid_code(&reused);
    assert_invalid_code(
        &t.app
            .verify_reset_code(&user.email, &json!(mail.code()))
            .await,
    );
}

#[tokio::test]
async fn one_reset_spends_every_secret_of_its_email() {
    let t = MailTest::spawn().await;
    let user = t.verified_user().await;
    let mail = t.reset_mail(&user.email).await;
    let body = json!({"email": user.email, "code": mail.code()});
    let done = t
        .app
        .confirm_password_reset(&with_password(body, NEW_PASSWORD))
        .await;
    assert_eq!(done.status, StatusCode::OK, "{done:#?}");

    let link = t
        .app
        .submit_reset_page_json(&mail.reset_path(), "Third-phrase-1618")
        .await;

    assert_invalid_code(&link);
    assert_token_pair(&t.app.login(&user.username, NEW_PASSWORD).await);
}

#[tokio::test]
async fn a_reset_token_expires_after_ten_minutes() {
    let t = MailTest::spawn().await;
    let user = t.verified_user().await;
    let mail = t.reset_mail(&user.email).await;
    let verified = t
        .app
        .verify_reset_code(&user.email, &json!(mail.code()))
        .await;
    let token = json!({"reset_token": verified.str("reset_token")});

    t.app.clock.advance(Duration::from_secs(10 * 60 + 1));
    let answer = t
        .app
        .confirm_password_reset(&with_password(token, NEW_PASSWORD))
        .await;

    assert_invalid_code(&answer);
    assert_token_pair(&t.app.login(&user.username, PASSWORD).await);
}

#[tokio::test]
async fn access_refresh_and_link_tokens_are_never_reset_tokens() {
    let t = MailTest::spawn().await;
    let user = t.verified_user().await;
    let mail = t.reset_mail(&user.email).await;
    let verified = t
        .app
        .verify_reset_code(&user.email, &json!(mail.code()))
        .await;
    let reset_token = verified.str("reset_token").to_owned();
    let link_token = mail.reset_token();
    let cases = [
        ("reset_token", user.access.as_str()),
        ("reset_token", user.refresh.as_str()),
        ("reset_token", link_token.as_str()),
        ("token", user.access.as_str()),
        ("token", user.refresh.as_str()),
        ("token", reset_token.as_str()),
    ];

    for (field, value) in cases {
        let answer = t
            .app
            .confirm_password_reset(&with_password(json!({field: value}), NEW_PASSWORD))
            .await;

        assert_invalid_code(&answer);
    }
    assert_token_pair(&t.app.login(&user.username, PASSWORD).await);
    let answer = t
        .app
        .confirm_password_reset(&with_password(
            json!({"reset_token": reset_token}),
            NEW_PASSWORD,
        ))
        .await;
    assert_eq!(
        answer.status,
        StatusCode::OK,
        "the real token still works: {answer:#?}"
    );
}

/// Weak, personal and mismatched new passwords for `proof`: each a field error.
async fn refuse_bad_passwords(t: &MailTest, user: &TestUser, proof: &Value) {
    let similar = format!("{}-2024", user.username);
    let weak = t
        .app
        .confirm_password_reset(&with_password(proof.clone(), "password123"))
        .await;
    let personal = t
        .app
        .confirm_password_reset(&with_password(proof.clone(), &similar))
        .await;
    let mut mismatch = with_password(proof.clone(), NEW_PASSWORD);
    mismatch["re_new_password"] = json!("Other-phrase-31415");
    let mismatch = t.app.confirm_password_reset(&mismatch).await;

    assert_field_error(&weak, "new_password");
    assert_field_error(&personal, "new_password");
    assert_field_error(&mismatch, "re_new_password");
}

#[tokio::test]
async fn a_weak_or_mismatched_new_password_does_not_use_the_proof_up() {
    let t = MailTest::spawn().await;
    let user = t.verified_user().await;
    let mail = t.reset_mail(&user.email).await;

    refuse_bad_passwords(
        &t,
        &user,
        &json!({"email": user.email, "code": mail.code()}),
    )
    .await;
    let verified = t
        .app
        .verify_reset_code(&user.email, &json!(mail.code()))
        .await;
    assert_eq!(
        verified.status,
        StatusCode::OK,
        "the code still works: {verified:#?}"
    );
    let by_token = json!({"reset_token": verified.str("reset_token")});
    refuse_bad_passwords(&t, &user, &by_token).await;
    let answer = t
        .app
        .confirm_password_reset(&with_password(by_token, NEW_PASSWORD))
        .await;

    assert_eq!(
        answer.status,
        StatusCode::OK,
        "the token still works: {answer:#?}"
    );
    assert_token_pair(&t.app.login(&user.username, NEW_PASSWORD).await);
}

#[tokio::test]
async fn a_reset_request_for_an_unknown_or_inactive_address_sends_nothing() {
    let t = MailTest::spawn().await;
    let (inactive, _) = t.register().await;

    let unknown = t
        .app
        .request_password_reset("nobody-here@example.com")
        .await;
    let not_active = t
        .app
        .request_password_reset(inactive["email"].as_str().unwrap())
        .await;

    assert_accepted(&unknown);
    assert_accepted(&not_active);
    t.deliver_none().await;
}

#[tokio::test]
async fn a_reset_asked_in_another_case_is_mailed_to_the_stored_address() {
    let t = MailTest::spawn().await;
    let user = t.verified_user().await;

    let asked = t
        .app
        .request_password_reset(&user.email.to_uppercase())
        .await;

    assert_accepted(&asked);
    let mail = t.deliver_one(&user.email).await;
    assert!(mail.subject().contains("Reset"), "{}", mail.subject());
}
