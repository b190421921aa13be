//! SIN, DRA and TMA ran simplejwt without rotation: their clients keep the first refresh token
//! and trade it for access tokens again and again. Their refresh paths do not rotate; the token
//! still dies with its session, and a token older than the session's current one is a replay.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{TestApp, assert_unauthorized};

#[tokio::test]
async fn a_kept_refresh_token_keeps_working_past_the_grace_window() {
    let app = TestApp::spawn().await;
    let user = app.register_and_login().await;
    for path in [
        "/api/token/refresh/",
        "/auth/refresh/",
        "/api/token/refresh",
    ] {
        app.clock.advance(Duration::from_mins(1));
        let answer = app.post(path, &json!({"refresh": user.refresh})).await;
        assert_eq!(answer.status, StatusCode::OK, "{path}: {answer:#?}");
        assert_eq!(
            answer.str("refresh"),
            user.refresh,
            "{path} must not rotate"
        );
        let me = app.me(answer.str("access")).await;
        assert_eq!(
            me.status,
            StatusCode::OK,
            "{path}: the new access token works"
        );
    }
    let logout = app.logout(&user.access, None).await;
    assert_eq!(logout.status, StatusCode::NO_CONTENT);
    let after = app
        .post("/api/token/refresh/", &json!({"refresh": user.refresh}))
        .await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED, "{after:#?}");
}

#[tokio::test]
async fn a_kept_token_older_than_a_rotation_is_a_replay() {
    let app = TestApp::spawn().await;
    let user = app.register_and_login().await;
    let rotated = app.refresh(&user.refresh).await;
    let newer = rotated.str("refresh").to_owned();
    app.clock.advance(Duration::from_mins(1));

    let stale = app
        .post("/auth/refresh/", &json!({"refresh": user.refresh}))
        .await;
    let after = app
        .post("/api/token/refresh/", &json!({"refresh": newer}))
        .await;

    assert_unauthorized(&stale, "refresh_token_reused");
    assert_eq!(
        after.status,
        StatusCode::UNAUTHORIZED,
        "the session is revoked: {after:#?}"
    );
}
