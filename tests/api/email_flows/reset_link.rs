//! The emailed reset link, `/api/reset-password/?token=…`: a page for browsers (GET, form post)
//! and a JSON endpoint for API clients.

use reqwest::StatusCode;

use super::password_reset::{assert_reset_took_effect, user_with_two_sessions};
use super::support::{MailTest, NEW_PASSWORD, assert_invalid_code};
use crate::helpers::{Answer, PASSWORD, assert_field_error, assert_token_pair};

/// An HTML answer of the page: headers that keep the token in the URL private.
fn assert_private_html(answer: &Answer, status: StatusCode) -> &str {
    assert_eq!(answer.status, status, "{answer:#?}");
    let content_type = answer.header("content-type").unwrap_or_default();
    assert!(content_type.starts_with("text/html"), "{answer:#?}");
    assert_eq!(
        answer.header("referrer-policy"),
        Some("no-referrer"),
        "{answer:#?}"
    );
    assert_eq!(
        answer.header("cache-control"),
        Some("no-store"),
        "{answer:#?}"
    );
    answer.body.as_str().expect("an HTML body")
}

#[tokio::test]
async fn the_link_opens_a_private_form_for_a_new_password() {
    let t = MailTest::spawn().await;
    let user = t.verified_user().await;
    let mail = t.reset_mail(&user.email).await;
    let token = mail.reset_token();
    assert!(token.len() >= 43, "a long random token: {token}");
    assert!(
        mail.html.contains(&token),
        "the HTML part links too: {}",
        mail.html
    );

    let page = t.app.open_reset_page(&mail.reset_path()).await;

    let html = assert_private_html(&page, StatusCode::OK);
    assert!(html.contains("<form method=\"post\""), "{html}");
    assert!(html.contains("name=\"new_password\""), "{html}");
    assert!(html.contains("name=\"confirm_new_password\""), "{html}");
    assert!(
        html.contains(&token),
        "the form posts the token back: {html}"
    );
    assert_token_pair(&t.app.login(&user.username, PASSWORD).await);
}

#[tokio::test]
async fn the_link_points_at_the_running_server() {
    let t = MailTest::spawn().await;
    let user = t.verified_user().await;

    let mail = t.reset_mail(&user.email).await;

    let expected = t.app.url("/api/reset-password/?token=");
    assert!(
        mail.reset_link().starts_with(&expected),
        "{} does not start with {expected}",
        mail.reset_link()
    );
}

#[tokio::test]
async fn the_link_is_built_from_the_public_url() {
    let t =
        MailTest::spawn_with(|c| c.public_url = Some("https://auth.example.com/".to_owned())).await;
    let user = t.verified_user().await;

    let mail = t.reset_mail(&user.email).await;

    let link = mail.reset_link();
    assert!(
        link.starts_with("https://auth.example.com/api/reset-password/?token="),
        "{link}"
    );
}

#[tokio::test]
async fn a_json_post_to_the_link_resets_the_password_once() {
    let t = MailTest::spawn().await;
    let (user, sessions) = user_with_two_sessions(&t).await;
    let mail = t.reset_mail(&user.email).await;

    let answer = t
        .app
        .submit_reset_page_json(&mail.reset_path(), NEW_PASSWORD)
        .await;

    assert_eq!(answer.status, StatusCode::OK, "{answer:#?}");
    assert!(!answer.str("detail").is_empty());
    assert_reset_took_effect(&t, &user, &sessions).await;
    let again = t
        .app
        .submit_reset_page_json(&mail.reset_path(), "Third-phrase-1618")
        .await;
    assert_invalid_code(&again);
}

#[tokio::test]
async fn the_browser_form_post_resets_the_password_once() {
    let t = MailTest::spawn().await;
    let (user, sessions) = user_with_two_sessions(&t).await;
    let mail = t.reset_mail(&user.email).await;

    let answer = t
        .app
        .submit_reset_page_form(&mail.reset_token(), NEW_PASSWORD)
        .await;

    let html = assert_private_html(&answer, StatusCode::OK);
    assert!(html.contains("has been reset"), "{html}");
    assert_reset_took_effect(&t, &user, &sessions).await;
    let again = t
        .app
        .submit_reset_page_form(&mail.reset_token(), "Third-phrase-1618")
        .await;
    let html = assert_private_html(&again, StatusCode::BAD_REQUEST);
    assert!(html.contains("invalid or has expired"), "{html}");
}

#[tokio::test]
async fn a_weak_password_on_the_page_keeps_the_link_usable() {
    let t = MailTest::spawn().await;
    let user = t.verified_user().await;
    let mail = t.reset_mail(&user.email).await;

    let form = t
        .app
        .submit_reset_page_form(&mail.reset_token(), "password123")
        .await;
    let json = t
        .app
        .submit_reset_page_json(&mail.reset_path(), "password123")
        .await;

    let html = assert_private_html(&form, StatusCode::BAD_REQUEST);
    assert!(
        html.contains("role=\"alert\"") && html.contains(&mail.reset_token()),
        "{html}"
    );
    assert_field_error(&json, "new_password");
    let answer = t
        .app
        .submit_reset_page_json(&mail.reset_path(), NEW_PASSWORD)
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{answer:#?}");
    assert_token_pair(&t.app.login(&user.username, NEW_PASSWORD).await);
}

#[tokio::test]
async fn access_and_refresh_tokens_do_not_open_the_page_post() {
    let t = MailTest::spawn().await;
    let user = t.verified_user().await;

    for token in [&user.access, &user.refresh] {
        let path = format!("/api/reset-password/?token={token}");
        let json = t.app.submit_reset_page_json(&path, NEW_PASSWORD).await;
        let form = t.app.submit_reset_page_form(token, NEW_PASSWORD).await;

        assert_invalid_code(&json);
        assert_private_html(&form, StatusCode::BAD_REQUEST);
    }
    assert_token_pair(&t.app.login(&user.username, PASSWORD).await);
}

#[tokio::test]
async fn an_api_client_may_send_the_token_in_the_json_body() {
    let t = MailTest::spawn().await;
    let user = t.verified_user().await;
    let mail = t.reset_mail(&user.email).await;
    let body = serde_json::json!({"token": mail.reset_token(),
        "new_password": NEW_PASSWORD, "confirm_new_password": "Other-phrase-31415"});

    let mismatch = t.app.post("/api/reset-password/", &body).await;
    let mut body = body;
    body["confirm_new_password"] = NEW_PASSWORD.into();
    let answer = t.app.post("/api/reset-password/", &body).await;

    assert_field_error(&mismatch, "confirm_new_password");
    assert_eq!(answer.status, StatusCode::OK, "{answer:#?}");
    assert_token_pair(&t.app.login(&user.username, NEW_PASSWORD).await);
}

#[tokio::test]
async fn the_link_lives_as_long_as_the_email_says() {
    let t = MailTest::spawn().await;
    let ann = t.verified_user().await;
    let bob = t.verified_user().await;
    let (to_ann, to_bob) = (
        t.reset_mail(&ann.email).await,
        t.reset_mail(&bob.email).await,
    );
    assert!(
        to_ann.text.contains("The link expires in 1 hour"),
        "{}",
        to_ann.text
    );

    t.app.clock.advance(std::time::Duration::from_mins(59));
    let in_time = t
        .app
        .submit_reset_page_json(&to_ann.reset_path(), NEW_PASSWORD)
        .await;
    t.app.clock.advance(std::time::Duration::from_mins(2));
    let too_late = t
        .app
        .submit_reset_page_json(&to_bob.reset_path(), NEW_PASSWORD)
        .await;

    assert_eq!(in_time.status, StatusCode::OK, "{in_time:#?}");
    assert_invalid_code(&too_late);
}
