//! One secret presented many times at once: exactly one request wins.

use reqwest::StatusCode;
use serde_json::json;

use super::support::{MailTest, NEW_PASSWORD, assert_invalid_code};
use crate::helpers::{Answer, assert_token_pair};

/// Exactly one 200; every other answer the uniform `invalid_code`.
fn assert_one_winner(answers: &[Answer]) {
    let winners = answers
        .iter()
        .filter(|a| a.status == StatusCode::OK)
        .count();
    assert_eq!(winners, 1, "{answers:#?}");
    for answer in answers.iter().filter(|a| a.status != StatusCode::OK) {
        assert_invalid_code(answer);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_login_code_sent_eight_times_at_once_opens_one_session() {
    let t = MailTest::spawn().await;
    let user = t.verified_user().await;
    let code = json!(t.login_code(&user.email).await);

    let answers =
        futures_util::future::join_all((0..8).map(|_| t.app.login_with_code(&user.email, &code)))
            .await;

    assert_one_winner(&answers);
    let winner = answers.iter().find(|a| a.status == StatusCode::OK).unwrap();
    assert_token_pair(winner);
    let sessions = t.app.sessions(winner.str("access")).await;
    assert_eq!(
        sessions.body.as_array().map(Vec::len),
        Some(2),
        "{sessions:#?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reset_token_sent_eight_times_at_once_resets_once() {
    let t = MailTest::spawn().await;
    let user = t.verified_user().await;
    let mail = t.reset_mail(&user.email).await;
    let verified = t
        .app
        .verify_reset_code(&user.email, &json!(mail.code()))
        .await;
    let body = json!({"reset_token": verified.str("reset_token"),
        "new_password": NEW_PASSWORD, "re_new_password": NEW_PASSWORD});

    let answers =
        futures_util::future::join_all((0..8).map(|_| t.app.confirm_password_reset(&body))).await;

    assert_one_winner(&answers);
    let notice = t.deliver_one(&user.email).await;
    assert!(
        notice.subject().contains("password was changed"),
        "one notice: {notice:#?}"
    );
    assert_token_pair(&t.app.login(&user.username, NEW_PASSWORD).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_activation_code_sent_eight_times_at_once_activates_once() {
    let t = MailTest::spawn().await;
    let (body, mail) = t.register().await;
    let email = body["email"].as_str().unwrap();
    let code = json!(mail.code());

    let answers =
        futures_util::future::join_all((0..8).map(|_| t.app.verify_registration(email, &code)))
            .await;

    assert_one_winner(&answers);
}
