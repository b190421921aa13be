//! POST /api/v1/auth/token/refresh/: rotation, the grace window, and reuse detection.

use std::time::Duration;

use futures_util::future::join_all;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{TestApp, assert_field_error, assert_token_pair, assert_unauthorized, claims};

#[tokio::test]
async fn refresh_rotates_the_refresh_token_and_issues_a_working_access_token() {
    let app = TestApp::spawn().await;
    let user = app.register_and_login().await;

    let answer = app.refresh(&user.refresh).await;

    assert_token_pair(&answer);
    assert!(answer.body.get("user").is_none(), "{answer:#?}");
    assert_ne!(answer.str("refresh"), user.refresh, "a new refresh token");
    assert_ne!(answer.str("access"), user.access, "a new access token");
    assert_eq!(
        claims(answer.str("access"))["sid"],
        claims(&user.access)["sid"],
        "same session"
    );
    let me = app.me(answer.str("access")).await;
    assert_eq!(me.status, StatusCode::OK, "{me:#?}");
    assert_eq!(me.body["id"], user.id);
}

#[tokio::test]
async fn refresh_answers_without_the_trailing_slash_too() {
    let app = TestApp::spawn().await;
    let user = app.register_and_login().await;

    let answer = app
        .post(
            "/api/v1/auth/token/refresh",
            &json!({"refresh": user.refresh}),
        )
        .await;

    assert_token_pair(&answer);
}

#[tokio::test]
async fn the_previous_token_within_the_grace_window_gets_the_same_current_token() {
    let app = TestApp::spawn().await;
    let user = app.register_and_login().await;
    let first = app.refresh(&user.refresh).await;
    assert_token_pair(&first);
    app.clock.advance(Duration::from_secs(9));

    let again = app.refresh(&user.refresh).await;

    assert_token_pair(&again);
    assert_eq!(
        again.str("refresh"),
        first.str("refresh"),
        "idempotent: the same current token"
    );
    assert_eq!(app.me(again.str("access")).await.status, StatusCode::OK);
    let next = app.refresh(first.str("refresh")).await;
    assert_token_pair(&next);
}

#[tokio::test]
async fn refresh_with_a_rotated_token_past_grace_revokes_the_session() {
    let app = TestApp::spawn().await;
    let user = app.register_and_login().await;
    let rotated = app.refresh(&user.refresh).await;
    assert_token_pair(&rotated);
    app.clock.advance(Duration::from_secs(11));

    let replay = app.refresh(&user.refresh).await;

    assert_unauthorized(&replay, "refresh_token_reused");
    assert_unauthorized(
        &app.refresh(rotated.str("refresh")).await,
        "token_not_valid",
    );
    assert_unauthorized(&app.me(rotated.str("access")).await, "token_not_valid");
    assert_unauthorized(&app.me(&user.access).await, "token_not_valid");
}

#[tokio::test]
async fn a_token_two_rotations_old_is_reuse_even_within_the_grace_window() {
    let app = TestApp::spawn().await;
    let user = app.register_and_login().await;
    let second = app.refresh(&user.refresh).await;
    let third = app.refresh(second.str("refresh")).await;
    assert_token_pair(&third);

    let replay = app.refresh(&user.refresh).await;

    assert_unauthorized(&replay, "refresh_token_reused");
    assert_unauthorized(&app.refresh(third.str("refresh")).await, "token_not_valid");
    assert_unauthorized(&app.me(third.str("access")).await, "token_not_valid");
}

#[tokio::test]
async fn reuse_in_one_session_leaves_the_users_other_sessions_alone() {
    let app = TestApp::spawn().await;
    let user = app.register_and_login().await;
    let (other_access, other_refresh) = app.login_tokens(&user.username, &user.password).await;
    let rotated = app.refresh(&user.refresh).await;
    app.refresh(rotated.str("refresh")).await;

    assert_unauthorized(&app.refresh(&user.refresh).await, "refresh_token_reused");

    assert_eq!(app.me(&other_access).await.status, StatusCode::OK);
    assert_token_pair(&app.refresh(&other_refresh).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_refreshes_of_one_token_leave_at_most_one_family() {
    let app = TestApp::spawn().await;
    let user = app.register_and_login().await;

    let answers = join_all((0..10).map(|_| app.refresh(&user.refresh))).await;

    let mut winners = Vec::new();
    for answer in &answers {
        match answer.status {
            StatusCode::OK => {
                assert_token_pair(answer);
                winners.push(answer.str("refresh").to_owned());
            }
            StatusCode::UNAUTHORIZED => assert!(answer.body["code"].is_string(), "{answer:#?}"),
            _ => panic!("only 200 or 401: {answer:#?}"),
        }
    }
    assert!(!winners.is_empty(), "at least one refresh succeeded");
    assert!(
        winners.iter().all(|w| *w == winners[0]),
        "one family: {winners:#?}"
    );
    assert_token_pair(&app.refresh(&winners[0]).await);
}

/// Rotations committed together (one batch per node) still answer each session on its own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_refreshes_of_many_sessions_each_rotate_their_own() {
    let app = TestApp::spawn().await;
    let user = app.register_and_login().await;
    let logins = join_all((0..24).map(|_| app.login_tokens(&user.username, &user.password))).await;
    let refresh_all = |tokens: Vec<String>| {
        let app = &app;
        async move { join_all(tokens.iter().map(|t| app.refresh(t))).await }
    };

    let first = refresh_all(logins.iter().map(|(_, r)| r.clone()).collect()).await;
    let second = refresh_all(first.iter().map(|a| a.str("refresh").to_owned()).collect()).await;

    for ((login, one), two) in logins.iter().zip(&first).zip(&second) {
        assert_token_pair(one);
        assert_token_pair(two);
        let sid = claims(&login.0)["sid"].clone();
        assert_eq!(claims(one.str("access"))["sid"], sid, "its own session");
        assert_eq!(claims(two.str("access"))["sid"], sid, "its own session");
        assert_ne!(one.str("refresh"), two.str("refresh"));
    }
    let mut sessions: Vec<_> = second
        .iter()
        .map(|a| claims(a.str("access"))["sid"].to_string())
        .collect();
    sessions.sort();
    sessions.dedup();
    assert_eq!(sessions.len(), logins.len(), "one family per login");
    assert_eq!(app.me(second[0].str("access")).await.status, StatusCode::OK);
    // The first wave's tokens are one step behind now: within grace they get the current token.
    let again = app.refresh(first[3].str("refresh")).await;
    assert_eq!(again.str("refresh"), second[3].str("refresh"));
}

#[tokio::test]
async fn a_refresh_token_past_its_lifetime_is_refused() {
    let app = TestApp::spawn().await;
    let user = app.register_and_login().await;
    app.clock.advance(Duration::from_secs(14 * 24 * 3600 + 1));

    let answer = app.refresh(&user.refresh).await;

    assert_unauthorized(&answer, "token_not_valid");
}

#[tokio::test]
async fn each_refresh_renews_the_refresh_lifetime() {
    let app = TestApp::spawn().await;
    let user = app.register_and_login().await;
    app.clock.advance(Duration::from_hours(10 * 24));
    let renewed = app.refresh(&user.refresh).await;
    assert_token_pair(&renewed);
    app.clock.advance(Duration::from_hours(10 * 24));

    let answer = app.refresh(renewed.str("refresh")).await;

    assert_token_pair(&answer);
}

#[tokio::test]
async fn refresh_refuses_what_is_not_a_refresh_token() {
    let app = TestApp::spawn().await;
    let user = app.register_and_login().await;
    let tampered = user.refresh.replacen(".0.", ".1.", 1);
    let other_app = TestApp::spawn().await;
    let foreign = other_app.register_and_login().await;

    for token in [
        user.access.as_str(),
        "garbage",
        "grt1.x.0.y",
        &tampered,
        &foreign.refresh,
    ] {
        let answer = app.refresh(token).await;

        assert_unauthorized(&answer, "token_not_valid");
    }
    assert_eq!(
        assert_field_error(
            &app.post("/api/v1/auth/token/refresh/", &json!({})).await,
            "refresh"
        ),
        ["This field is required."]
    );
    assert_token_pair(&app.refresh(&user.refresh).await);
}
