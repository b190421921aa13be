//! GET / PATCH / DELETE /api/v1/users/me/

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{
    PASSWORD, TestApp, assert_field_error, assert_unauthorized, assert_user_shape,
};

#[tokio::test]
async fn me_returns_the_callers_account() {
    let app = TestApp::spawn().await;
    let user = app.register_and_login().await;

    let answer = app.me(&user.access).await;

    assert_eq!(answer.status, StatusCode::OK, "{answer:#?}");
    assert_user_shape(&answer.body);
    assert_eq!(answer.body["id"], user.id);
    assert_eq!(answer.body["username"], user.username.as_str());
    assert_eq!(answer.body["email"], user.email.as_str());
    assert!(
        answer.body["last_login"].is_string(),
        "set by the login: {answer:#?}"
    );
    assert_eq!(
        app.get("/api/v1/users/me", Some(&user.access)).await.body,
        answer.body
    );
}

#[tokio::test]
async fn me_without_credentials_is_not_authenticated() {
    let app = TestApp::spawn().await;

    let answer = app.get("/api/v1/users/me/", None).await;

    assert_unauthorized(&answer, "not_authenticated");
}

#[tokio::test]
async fn patch_changes_profile_fields_and_they_stay_changed() {
    let app = TestApp::spawn().await;
    let user = app.register_and_login().await;
    let patch = json!({
        "username": format!("{}_renamed", user.username), "first_name": "Grace",
        "last_name": "Hopper", "phone_number": "+1 555 0100", "date_of_birth": "1906-12-09",
        "gender": "female", "role": "client",
    });

    let answer = app.patch_me(&user.access, &patch).await;

    assert_eq!(answer.status, StatusCode::OK, "{answer:#?}");
    assert_user_shape(&answer.body);
    let me = app.me(&user.access).await.body;
    for (key, value) in patch.as_object().unwrap() {
        assert_eq!(&answer.body[key], value, "{key} in the answer");
        assert_eq!(&me[key], value, "{key} as stored");
    }
    let renamed = patch["username"].as_str().unwrap();
    assert_eq!(app.login(renamed, PASSWORD).await.status, StatusCode::OK);
}

#[tokio::test]
async fn patch_with_null_clears_the_date_of_birth() {
    let app = TestApp::spawn().await;
    let user = app.register_and_login().await;
    let set = app
        .patch_me(&user.access, &json!({"date_of_birth": "2000-02-29"}))
        .await;
    assert_eq!(set.body["date_of_birth"], "2000-02-29", "{set:#?}");

    let answer = app
        .patch_me(&user.access, &json!({"date_of_birth": null}))
        .await;

    assert_eq!(answer.status, StatusCode::OK, "{answer:#?}");
    assert_eq!(answer.body["date_of_birth"], Value::Null);
}

#[tokio::test]
async fn patch_refuses_guarded_fields_by_name_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let user = app.register_and_login().await;
    let before = app.me(&user.access).await.body;
    let guarded = [
        ("password", json!("Another-phrase-1618")),
        ("email", json!("new@example.com")),
        ("is_staff", json!(true)),
        ("is_superuser", json!(true)),
        ("is_active", json!(false)),
    ];

    for (field, value) in guarded {
        let body = json!({"first_name": "Sneaky", field: value});
        let answer = app.patch_me(&user.access, &body).await;

        assert_field_error(&answer, field);
    }
    assert_eq!(app.me(&user.access).await.body, before, "nothing changed");
    assert_eq!(
        app.login(&user.username, PASSWORD).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn patch_cannot_promote_to_a_role_that_is_not_self_assignable() {
    let app = TestApp::spawn().await;
    let user = app.register_and_login().await;

    for role in ["employee", "admin", ""] {
        let answer = app.patch_me(&user.access, &json!({"role": role})).await;

        assert_field_error(&answer, "role");
    }
    assert_eq!(app.me(&user.access).await.body["role"], "client");
}

#[tokio::test]
async fn patch_can_switch_between_self_assignable_roles() {
    let app = TestApp::spawn_with(|c| {
        c.roles = vec!["client".into(), "employee".into(), "manager".into()];
        c.signup_roles = vec!["client".into(), "employee".into()];
    })
    .await;
    let user = app.register_and_login().await;

    let answer = app
        .patch_me(&user.access, &json!({"role": "employee"}))
        .await;
    let refused = app
        .patch_me(&user.access, &json!({"role": "manager"}))
        .await;

    assert_eq!(answer.status, StatusCode::OK, "{answer:#?}");
    assert_eq!(answer.body["role"], "employee");
    assert_field_error(&refused, "role");
    assert_eq!(
        app.me(&user.access).await.body["role"],
        "employee",
        "read from the store, not the token"
    );
}

#[tokio::test]
async fn patch_to_a_taken_username_is_refused() {
    let app = TestApp::spawn().await;
    let ann = app.register_and_login().await;
    let bob = app.register_and_login().await;

    let answer = app
        .patch_me(
            &bob.access,
            &json!({"username": ann.username.to_uppercase()}),
        )
        .await;

    assert_field_error(&answer, "username");
    assert_eq!(
        app.me(&bob.access).await.body["username"],
        bob.username.as_str()
    );
}

#[tokio::test]
async fn delete_with_a_wrong_or_missing_password_keeps_the_account() {
    let app = TestApp::spawn().await;
    let user = app.register_and_login().await;

    let wrong = app
        .delete_me(
            &user.access,
            &json!({"current_password": "Not-it-at-all-5"}),
        )
        .await;
    let missing = app.delete_me(&user.access, &json!({})).await;

    assert_field_error(&wrong, "current_password");
    assert_eq!(
        assert_field_error(&missing, "current_password"),
        ["This field is required."]
    );
    assert_eq!(app.me(&user.access).await.status, StatusCode::OK);
    assert_eq!(
        app.login(&user.username, PASSWORD).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn delete_with_the_password_removes_the_account_and_its_tokens() {
    let app = TestApp::spawn().await;
    let user = app.register_and_login().await;
    let (other_access, other_refresh) = app.login_tokens(&user.username, PASSWORD).await;

    let answer = app
        .delete_me(&user.access, &json!({"current_password": PASSWORD}))
        .await;

    assert_eq!(answer.status, StatusCode::NO_CONTENT, "{answer:#?}");
    assert_eq!(answer.body, Value::Null);
    assert_unauthorized(
        &app.login(&user.username, PASSWORD).await,
        "invalid_credentials",
    );
    for access in [&user.access, &other_access] {
        assert_eq!(app.me(access).await.status, StatusCode::UNAUTHORIZED);
    }
    for refresh in [&user.refresh, &other_refresh] {
        assert_eq!(app.refresh(refresh).await.status, StatusCode::UNAUTHORIZED);
    }
    let again = app
        .register(&json!({"username": user.username, "email": user.email, "password": PASSWORD}))
        .await;
    assert_eq!(
        again.status,
        StatusCode::CREATED,
        "the name is free again: {again:#?}"
    );
}

#[tokio::test]
async fn patch_can_change_the_case_of_my_own_username() {
    let app = TestApp::spawn().await;
    let user = app.register_and_login().await;
    let upper = user.username.to_uppercase();

    let answer = app
        .patch_me(&user.access, &json!({"username": upper}))
        .await;

    assert_eq!(answer.status, StatusCode::OK, "{answer:#?}");
    assert_eq!(answer.body["username"], upper.as_str());
    assert_eq!(
        app.login(&user.username, PASSWORD).await.status,
        StatusCode::OK
    );
}
