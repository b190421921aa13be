//! POST /api/v1/auth/logout/ and /api/v1/auth/logout/all/

use reqwest::{Method, StatusCode};

use crate::helpers::{TestApp, assert_token_pair, assert_unauthorized};

#[tokio::test]
async fn logout_ends_the_callers_session_and_only_that_one() {
    let app = TestApp::spawn().await;
    let user = app.register_and_login().await;
    let (other_access, other_refresh) = app.login_tokens(&user.username, &user.password).await;

    let answer = app.logout(&user.access, None).await;

    assert_eq!(answer.status, StatusCode::NO_CONTENT, "{answer:#?}");
    assert_eq!(answer.body, serde_json::Value::Null, "204 has no body");
    assert_unauthorized(&app.me(&user.access).await, "token_not_valid");
    assert_unauthorized(&app.refresh(&user.refresh).await, "token_not_valid");
    assert_eq!(
        app.me(&other_access).await.status,
        StatusCode::OK,
        "the second login lives"
    );
    assert_token_pair(&app.refresh(&other_refresh).await);
}

#[tokio::test]
async fn logout_with_its_own_refresh_token_in_the_body_works_too() {
    let app = TestApp::spawn().await;
    let user = app.register_and_login().await;

    let answer = app.logout(&user.access, Some(&user.refresh)).await;

    assert_eq!(answer.status, StatusCode::NO_CONTENT, "{answer:#?}");
    assert_unauthorized(&app.refresh(&user.refresh).await, "token_not_valid");
    assert_unauthorized(&app.me(&user.access).await, "token_not_valid");
}

#[tokio::test]
async fn logout_with_another_of_my_sessions_refresh_token_ends_both() {
    let app = TestApp::spawn().await;
    let user = app.register_and_login().await;
    let (other_access, other_refresh) = app.login_tokens(&user.username, &user.password).await;

    let answer = app.logout(&user.access, Some(&other_refresh)).await;

    assert_eq!(answer.status, StatusCode::NO_CONTENT, "{answer:#?}");
    assert_unauthorized(&app.me(&other_access).await, "token_not_valid");
    assert_unauthorized(&app.refresh(&other_refresh).await, "token_not_valid");
}

#[tokio::test]
async fn logout_with_another_users_refresh_token_does_not_touch_their_session() {
    let app = TestApp::spawn().await;
    let mallory = app.register_and_login().await;
    let victim = app.register_and_login().await;

    let answer = app.logout(&mallory.access, Some(&victim.refresh)).await;

    assert_eq!(answer.status, StatusCode::NO_CONTENT, "{answer:#?}");
    assert_eq!(app.me(&victim.access).await.status, StatusCode::OK);
    assert_token_pair(&app.refresh(&victim.refresh).await);
}

#[tokio::test]
async fn logout_twice_is_refused_the_second_time() {
    let app = TestApp::spawn().await;
    let user = app.register_and_login().await;
    assert_eq!(
        app.logout(&user.access, None).await.status,
        StatusCode::NO_CONTENT
    );

    let answer = app.logout(&user.access, None).await;

    assert_unauthorized(&answer, "token_not_valid");
}

#[tokio::test]
async fn logout_needs_a_bearer_token() {
    let app = TestApp::spawn().await;

    for path in ["/api/v1/auth/logout/", "/api/v1/auth/logout/all/"] {
        let answer = app.send(Method::POST, path, None, None).await;

        assert_unauthorized(&answer, "not_authenticated");
    }
}

#[tokio::test]
async fn logout_all_ends_every_session_of_the_user_and_no_one_elses() {
    let app = TestApp::spawn().await;
    let user = app.register_and_login().await;
    let second = app.login_tokens(&user.username, &user.password).await;
    let third = app.login_tokens(&user.username, &user.password).await;
    let bystander = app.register_and_login().await;

    let answer = app.logout_all(&second.0).await;

    assert_eq!(answer.status, StatusCode::NO_CONTENT, "{answer:#?}");
    for (access, refresh) in [(user.access.clone(), user.refresh.clone()), second, third] {
        assert_unauthorized(&app.me(&access).await, "token_not_valid");
        assert_unauthorized(&app.refresh(&refresh).await, "token_not_valid");
    }
    assert_eq!(app.me(&bystander.access).await.status, StatusCode::OK);
    let again = app.login(&user.username, &user.password).await;
    assert_token_pair(&again);
    assert_eq!(
        app.sessions(again.str("access"))
            .await
            .body
            .as_array()
            .map(Vec::len),
        Some(1)
    );
}

#[tokio::test]
async fn after_logout_neither_the_current_nor_the_previous_refresh_token_works() {
    let app = TestApp::spawn().await;
    let user = app.register_and_login().await;
    let rotated = app.refresh(&user.refresh).await;
    assert_token_pair(&rotated);
    assert_eq!(
        app.logout(rotated.str("access"), None).await.status,
        StatusCode::NO_CONTENT
    );

    let previous = app.refresh(&user.refresh).await;
    let current = app.refresh(rotated.str("refresh")).await;

    assert_unauthorized(&previous, "token_not_valid");
    assert_unauthorized(&current, "token_not_valid");
}
