//! Invitations: staff (or an employee, for clients) create an account; the invitee chooses a
//! password through the emailed link and can log in only after that.

use reqwest::{Method, StatusCode};
use serde_json::json;

use super::support::{Cast, Kind};
use crate::email_flows::support::{MailTest, NEW_PASSWORD};
use crate::helpers::{assert_field_error, assert_token_pair};

#[tokio::test]
async fn an_invitee_sets_a_password_by_the_link_and_logs_in() {
    let t = MailTest::spawn().await;
    let cast = Cast::new(&t.app).await;
    t.deliver().await;
    let employee = cast.member(&t.app, Kind::Employee, "emp").await;
    let body = json!({"username": "invitee_one", "email": "invitee.one@example.com",
        "role": "client", "first_name": "In", "last_name": "Vitee"});

    let created = t
        .app
        .send(
            Method::POST,
            "/api/v1/users/invite/",
            Some(&employee.access),
            Some(&body),
        )
        .await;
    let before = t.app.login("invitee_one", NEW_PASSWORD).await;
    let mail = t.deliver_one("invitee.one@example.com").await;
    let set = t
        .app
        .submit_reset_page_json(&mail.reset_path(), NEW_PASSWORD)
        .await;
    let replay = t
        .app
        .submit_reset_page_json(&mail.reset_path(), "Another-phrase-1618")
        .await;

    assert_eq!(created.status, StatusCode::CREATED, "{created:#?}");
    assert_eq!(
        (
            created.body["role"].clone(),
            created.body["is_active"].clone()
        ),
        (json!("client"), json!(true))
    );
    assert_eq!(
        before.status,
        StatusCode::UNAUTHORIZED,
        "no password before the link"
    );
    assert!(mail.subject().contains("account"), "{}", mail.subject());
    assert!(mail.text.contains("expires in 72 hours"), "{}", mail.text);
    assert_eq!(set.status, StatusCode::OK, "{set:#?}");
    assert_eq!(
        replay.status,
        StatusCode::BAD_REQUEST,
        "the link works once"
    );
    let login = t.app.login("invitee_one", NEW_PASSWORD).await;
    assert_token_pair(&login);
    assert_eq!(login.body["user"]["is_email_verified"], true);
}

#[tokio::test]
async fn invitations_are_validated_and_taken_names_refused() {
    let t = MailTest::spawn().await;
    let cast = Cast::new(&t.app).await;
    let boss = cast.member(&t.app, Kind::Staff, "boss").await;
    let invite = |body: serde_json::Value| {
        let (app, token) = (&t.app, boss.access.clone());
        async move {
            app.send(
                Method::POST,
                "/api/v1/users/invite/",
                Some(&token),
                Some(&body),
            )
            .await
        }
    };

    assert_field_error(
        &invite(json!({"email": "a@example.com", "role": "client"})).await,
        "username",
    );
    assert_field_error(
        &invite(json!({"username": "a_b", "email": "nope", "role": "client"})).await,
        "email",
    );
    assert_field_error(
        &invite(json!({"username": "a_b", "email": "a@example.com", "role": "wizard"})).await,
        "role",
    );
    assert_field_error(
        &invite(json!({"username": "a_b", "email": "a@example.com"})).await,
        "role",
    );
    assert_field_error(
        &invite(json!({"username": boss.username, "email": "a@example.com", "role": "client"}))
            .await,
        "username",
    );
}
