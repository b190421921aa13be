//! POST /api/v1/auth/register/

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestApp, assert_field_error, assert_user_shape};

fn with(mut body: Value, key: &str, value: Value) -> Value {
    body[key] = value;
    body
}

#[tokio::test]
async fn register_creates_an_active_client_and_returns_the_user() {
    let app = TestApp::spawn().await;
    let body = TestApp::new_user_body();

    let answer = app.register(&body).await;

    assert_eq!(answer.status, StatusCode::CREATED, "{answer:#?}");
    let user = &answer.body;
    assert_user_shape(user);
    assert_eq!(user["username"], body["username"]);
    assert_eq!(user["email"], body["email"]);
    assert_eq!(user["role"], "client", "the default sign-up role");
    assert_eq!(
        user["is_active"], true,
        "email verification is off by default"
    );
    assert_eq!(user["is_email_verified"], false);
    assert_eq!(user["is_staff"], false);
    assert_eq!(user["is_superuser"], false);
    assert_eq!(user["last_login"], Value::Null);
    assert_eq!(user["date_of_birth"], Value::Null);
    assert_eq!(user["first_name"], "");
}

#[tokio::test]
async fn register_stores_every_optional_profile_field() {
    let app = TestApp::spawn().await;
    let mut body = TestApp::new_user_body();
    let extra = json!({
        "re_password": PASSWORD, "first_name": "Ada", "last_name": "Lovelace",
        "phone_number": "+44 20 7946 0000", "date_of_birth": "1815-12-10", "gender": "female",
        "role": "client",
    });
    body.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());

    let answer = app.register(&body).await;

    assert_eq!(answer.status, StatusCode::CREATED, "{answer:#?}");
    assert_user_shape(&answer.body);
    for key in [
        "first_name",
        "last_name",
        "phone_number",
        "date_of_birth",
        "gender",
        "role",
    ] {
        assert_eq!(answer.body[key], extra[key], "{key}");
    }
}

#[tokio::test]
async fn a_new_user_can_log_in_at_once() {
    let app = TestApp::spawn().await;
    let body = TestApp::new_user_body();
    assert_eq!(app.register(&body).await.status, StatusCode::CREATED);

    let answer = app
        .login(body["username"].as_str().unwrap(), PASSWORD)
        .await;

    assert_eq!(answer.status, StatusCode::OK, "{answer:#?}");
    assert_eq!(answer.body["user"]["username"], body["username"]);
}

#[tokio::test]
async fn a_taken_username_is_refused_whatever_its_case() {
    let app = TestApp::spawn().await;
    let first = TestApp::new_user_body();
    assert_eq!(app.register(&first).await.status, StatusCode::CREATED);
    let upper = first["username"].as_str().unwrap().to_uppercase();
    let second = with(TestApp::new_user_body(), "username", json!(upper));

    let answer = app.register(&second).await;

    assert_field_error(&answer, "username");
    assert!(answer.body.get("email").is_none(), "{answer:#?}");
}

#[tokio::test]
async fn a_taken_email_is_refused_whatever_its_case() {
    let app = TestApp::spawn().await;
    let first = TestApp::new_user_body();
    assert_eq!(app.register(&first).await.status, StatusCode::CREATED);
    let upper = first["email"].as_str().unwrap().to_uppercase();
    let second = with(TestApp::new_user_body(), "email", json!(upper));

    let answer = app.register(&second).await;

    assert_field_error(&answer, "email");
    let login = app.login(&upper, PASSWORD).await;
    assert_eq!(
        login.body["user"]["username"], first["username"],
        "the first user is untouched"
    );
}

#[tokio::test]
async fn weak_passwords_are_refused_with_a_password_error() {
    let app = TestApp::spawn().await;
    let base = TestApp::new_user_body();
    let username = base["username"].as_str().unwrap().to_owned();
    let weak = [
        ("too short", "x7!kQ".to_owned()),
        ("all digits", "8264019375".to_owned()),
        ("common", "password123".to_owned()),
        ("similar to the username", format!("{username}-2024")),
        (
            "similar to the email",
            format!("x{}", base["email"].as_str().unwrap()),
        ),
    ];

    for (why, password) in weak {
        let body = with(base.clone(), "password", json!(password));
        let answer = app.register(&body).await;

        let messages = assert_field_error(&answer, "password");
        assert!(!messages.is_empty(), "{why}");
    }
    let nobody = app.login(&username, "x7!kQ").await;
    assert_eq!(
        nobody.status,
        StatusCode::UNAUTHORIZED,
        "no account was created"
    );
}

#[tokio::test]
async fn a_mismatched_re_password_is_refused() {
    let app = TestApp::spawn().await;
    let body = with(
        TestApp::new_user_body(),
        "re_password",
        json!("Something-else-42"),
    );

    let answer = app.register(&body).await;

    let messages = assert_field_error(&answer, "re_password");
    assert_eq!(messages, ["The two password fields didn't match."]);
}

#[tokio::test]
async fn only_a_self_assignable_role_can_be_chosen() {
    let app = TestApp::spawn().await;

    for role in ["employee", "admin", "superuser", ""] {
        let body = with(TestApp::new_user_body(), "role", json!(role));
        let answer = app.register(&body).await;

        assert_field_error(&answer, "role");
    }
}

#[tokio::test]
async fn missing_fields_are_each_reported_as_required() {
    let app = TestApp::spawn().await;

    let answer = app.register(&json!({})).await;

    for field in ["username", "email", "password"] {
        let messages = assert_field_error(&answer, field);
        assert_eq!(messages, ["This field is required."], "{field}");
    }
}

#[tokio::test]
async fn malformed_fields_get_field_errors() {
    let app = TestApp::spawn().await;
    let cases = [
        ("email", json!("not-an-email")),
        ("email", json!(format!("{}@example.com", "e".repeat(300)))),
        ("username", json!("has spaces")),
        ("username", json!("u".repeat(200))),
        ("password", json!("Long-password-".repeat(143))),
        ("date_of_birth", json!("10/12/1815")),
        ("date_of_birth", json!("1815-13-45")),
        ("first_name", json!("n".repeat(151))),
        ("phone_number", json!("5".repeat(33))),
        ("gender", json!(true)),
    ];

    for (field, value) in cases {
        let body = with(TestApp::new_user_body(), field, value);
        let answer = app.register(&body).await;

        assert_field_error(&answer, field);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_registrations_of_one_username_create_exactly_one_account() {
    let app = TestApp::spawn().await;
    let body = TestApp::new_user_body();
    let bodies: Vec<Value> = (0..8)
        .map(|i| {
            with(
                body.clone(),
                "email",
                json!(format!("racer{i}@example.com")),
            )
        })
        .collect();

    let answers = futures_util::future::join_all(bodies.iter().map(|b| app.register(b))).await;

    let created = answers
        .iter()
        .filter(|a| a.status == StatusCode::CREATED)
        .count();
    assert_eq!(created, 1, "{answers:#?}");
    for answer in answers.iter().filter(|a| a.status != StatusCode::CREATED) {
        assert_field_error(answer, "username");
    }
}
