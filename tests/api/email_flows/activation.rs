//! POST /api/v1/auth/register/ with verification on, register/verify/ and register/resend/.

use std::time::Duration;

use gatehouse::config::EmailVerification;
use reqwest::StatusCode;
use serde_json::json;

use super::support::{MailTest, assert_accepted, assert_invalid_code};
use crate::helpers::{PASSWORD, assert_token_pair, assert_unauthorized, assert_user_shape};

const PAST_COOLDOWN: Duration = Duration::from_secs(61);

#[tokio::test]
async fn registration_emails_a_code_that_activates_the_account() {
    let t = MailTest::spawn().await;

    let (body, mail) = t.register().await;
    let (username, email) = (
        body["username"].as_str().unwrap(),
        body["email"].as_str().unwrap(),
    );

    assert!(mail.subject().contains("activation"), "{}", mail.subject());
    assert!(mail.message_id().ends_with("@gatehouse>"), "{mail:#?}");
    let code = mail.code();
    assert!(mail.text.contains("expires in 10 minutes"), "{}", mail.text);
    assert!(
        mail.html.contains(&code),
        "the HTML part shows the code: {}",
        mail.html
    );
    assert!(mail.text.contains(username) && mail.html.contains(username));
    assert_unauthorized(
        &t.app.login(username, PASSWORD).await,
        "invalid_credentials",
    );

    let verified = t.app.verify_registration(email, &json!(code)).await;

    assert_eq!(verified.status, StatusCode::OK, "{verified:#?}");
    assert!(!verified.str("detail").is_empty());
    let user = &verified.body["user"];
    assert_user_shape(user);
    assert_eq!(user["email"], email);
    assert_eq!(user["is_active"], true);
    assert_eq!(user["is_email_verified"], true);
    let login = t.app.login(username, PASSWORD).await;
    assert_token_pair(&login);
    assert_eq!(login.body["user"]["is_email_verified"], true);
}

#[tokio::test]
async fn an_activation_code_works_only_once() {
    let t = MailTest::spawn().await;
    let (body, mail) = t.register().await;
    let email = body["email"].as_str().unwrap();
    let code = json!(mail.code());
    assert_eq!(
        t.app.verify_registration(email, &code).await.status,
        StatusCode::OK
    );

    let again = t.app.verify_registration(email, &code).await;

    assert_invalid_code(&again);
}

#[tokio::test]
async fn a_resent_code_replaces_the_old_one() {
    let t = MailTest::spawn().await;
    let (body, first) = t.register().await;
    let email = body["email"].as_str().unwrap();
    t.app.clock.advance(PAST_COOLDOWN);

    assert_accepted(&t.app.resend_activation(email).await);
    let second = t.deliver_one(email).await;

    assert!(
        second.subject().contains("activation"),
        "{}",
        second.subject()
    );
    assert_ne!(second.message_id(), first.message_id());
    if first.code() != second.code() {
        assert_invalid_code(&t.app.verify_registration(email, &json!(first.code())).await);
    }
    let verified = t
        .app
        .verify_registration(email, &json!(second.code()))
        .await;
    assert_eq!(verified.status, StatusCode::OK, "{verified:#?}");
}

#[tokio::test]
async fn a_resend_inside_the_cooldown_answers_the_same_and_sends_nothing() {
    let t = MailTest::spawn().await;
    let (body, _) = t.register().await;
    let email = body["email"].as_str().unwrap();

    assert_accepted(&t.app.resend_activation(email).await);
    t.deliver_none().await;
    t.app.clock.advance(PAST_COOLDOWN);
    assert_accepted(&t.app.resend_activation(email).await);
    let resent = t.deliver_one(email).await;
    assert_accepted(&t.app.resend_activation(email).await);
    t.deliver_none().await;
    t.app.clock.advance(PAST_COOLDOWN);
    assert_accepted(&t.app.resend_activation(email).await);
    let again = t.deliver_one(email).await;

    assert_eq!(t.sink.received().len(), 3, "registration + two resends");
    let verified = t.app.verify_registration(email, &json!(again.code())).await;
    assert_eq!(verified.status, StatusCode::OK, "{verified:#?}");
    assert_ne!(resent.message_id(), again.message_id());
}

#[tokio::test]
async fn a_resend_for_an_unknown_or_verified_address_sends_nothing() {
    let t = MailTest::spawn().await;
    let user = t.verified_user().await;
    t.app.clock.advance(PAST_COOLDOWN);

    let verified = t.app.resend_activation(&user.email).await;
    let unknown = t.app.resend_activation("nobody-here@example.com").await;

    assert_accepted(&verified);
    assert_accepted(&unknown);
    t.deliver_none().await;
}

#[tokio::test]
async fn purposes_do_not_share_a_cooldown() {
    // Verification off: the account is active but unverified, so it can ask for both codes.
    let t = MailTest::spawn_with(|c| c.email_verification = EmailVerification::Off).await;
    let body = crate::helpers::TestApp::new_user_body();
    assert_eq!(t.app.register(&body).await.status, StatusCode::CREATED);
    let email = body["email"].as_str().unwrap();
    t.deliver_none().await;

    assert_accepted(&t.app.resend_activation(email).await);
    let activation = t.deliver_one(email).await;
    assert_accepted(&t.app.request_login_code(email).await);
    let login = t.deliver_one(email).await;

    assert!(
        activation.subject().contains("activation"),
        "{}",
        activation.subject()
    );
    assert!(login.subject().contains("login"), "{}", login.subject());
}

/// The code goes to the account's own address, never to another spelling of it: local parts may
/// be case-sensitive (RFC 5321), so `ANN@…` can be someone else's mailbox.
#[tokio::test]
async fn a_resend_matches_the_address_in_any_case_and_mails_the_stored_one() {
    let t = MailTest::spawn().await;
    let (body, _) = t.register().await;
    let email = body["email"].as_str().unwrap();
    let upper = email.to_uppercase();
    t.app.clock.advance(PAST_COOLDOWN);

    assert_accepted(&t.app.resend_activation(&upper).await);
    let resent = t.deliver_one(email).await;
    let verified = t
        .app
        .verify_registration(&upper, &json!(resent.code()))
        .await;

    assert_eq!(verified.status, StatusCode::OK, "{verified:#?}");
    assert_eq!(verified.body["user"]["email"], email);
}

#[tokio::test]
async fn a_code_lives_as_long_as_the_email_says() {
    let t = MailTest::spawn_with(|c| c.code_ttl = Duration::from_mins(15)).await;
    let (ann, to_ann) = t.register().await;
    let (bob, to_bob) = t.register().await;
    assert!(
        to_ann.text.contains("expires in 15 minutes"),
        "{}",
        to_ann.text
    );

    t.app.clock.advance(Duration::from_secs(15 * 60 - 1));
    let in_time = t
        .app
        .verify_registration(ann["email"].as_str().unwrap(), &json!(to_ann.code()))
        .await;
    t.app.clock.advance(Duration::from_secs(2));
    let too_late = t
        .app
        .verify_registration(bob["email"].as_str().unwrap(), &json!(to_bob.code()))
        .await;

    assert_eq!(in_time.status, StatusCode::OK, "{in_time:#?}");
    assert_invalid_code(&too_late);
}
