//! GET /api/v1/auth/sessions/ and DELETE /api/v1/auth/sessions/{id}/

use reqwest::StatusCode;

use crate::helpers::{
    TestApp, USER_AGENT, assert_drf_error, assert_token_pair, assert_unauthorized, claims,
};

fn sid(access: &str) -> String {
    claims(access)["sid"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn sessions_lists_my_live_sessions_and_marks_the_current_one() {
    let app = TestApp::spawn().await;
    let user = app.register_and_login().await;
    let (second, _) = app.login_tokens(&user.username, &user.password).await;

    let answer = app.sessions(&second).await;

    assert_eq!(answer.status, StatusCode::OK, "{answer:#?}");
    let list = answer.body.as_array().expect("a list");
    assert_eq!(list.len(), 2, "{answer:#?}");
    for session in list {
        for key in ["id", "device", "ip", "created", "last_used"] {
            assert!(session[key].is_string(), "{key}: {session:#}");
        }
        assert_eq!(session["device"], USER_AGENT);
        assert_eq!(session["ip"], "127.0.0.1");
        let is_second = session["id"] == sid(&second).as_str();
        assert_eq!(session["current"], is_second, "{session:#}");
    }
    let ids: Vec<_> = list
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        ids.contains(&sid(&user.access)) && ids.contains(&sid(&second)),
        "{ids:?}"
    );
}

#[tokio::test]
async fn sessions_never_lists_other_users_or_ended_sessions() {
    let app = TestApp::spawn().await;
    let user = app.register_and_login().await;
    let other = app.register_and_login().await;
    let (ended, _) = app.login_tokens(&user.username, &user.password).await;
    assert_eq!(
        app.logout(&ended, None).await.status,
        StatusCode::NO_CONTENT
    );

    let answer = app.sessions(&user.access).await;

    assert_eq!(answer.status, StatusCode::OK, "{answer:#?}");
    let ids: Vec<_> = answer
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].clone())
        .collect();
    assert_eq!(
        ids,
        [serde_json::json!(sid(&user.access))],
        "only the live own session"
    );
    assert!(!ids.contains(&serde_json::json!(sid(&other.access))));
}

#[tokio::test]
async fn deleting_one_of_my_sessions_kills_its_tokens() {
    let app = TestApp::spawn().await;
    let user = app.register_and_login().await;
    let (doomed_access, doomed_refresh) = app.login_tokens(&user.username, &user.password).await;

    let answer = app.delete_session(&user.access, &sid(&doomed_access)).await;

    assert_eq!(answer.status, StatusCode::NO_CONTENT, "{answer:#?}");
    assert_unauthorized(&app.me(&doomed_access).await, "token_not_valid");
    assert_unauthorized(&app.refresh(&doomed_refresh).await, "token_not_valid");
    assert_eq!(app.me(&user.access).await.status, StatusCode::OK);
    let left = app.sessions(&user.access).await.body;
    assert_eq!(left.as_array().map(Vec::len), Some(1), "{left:#}");
    let again = app.delete_session(&user.access, &sid(&doomed_access)).await;
    assert_drf_error(&again, StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn deleting_the_current_session_logs_me_out() {
    let app = TestApp::spawn().await;
    let user = app.register_and_login().await;

    let answer = app.delete_session(&user.access, &sid(&user.access)).await;

    assert_eq!(answer.status, StatusCode::NO_CONTENT, "{answer:#?}");
    assert_unauthorized(&app.me(&user.access).await, "token_not_valid");
    assert_unauthorized(&app.refresh(&user.refresh).await, "token_not_valid");
}

#[tokio::test]
async fn another_users_session_is_not_found_and_stays_alive() {
    let app = TestApp::spawn().await;
    let mallory = app.register_and_login().await;
    let victim = app.register_and_login().await;

    let answer = app
        .delete_session(&mallory.access, &sid(&victim.access))
        .await;

    assert_drf_error(&answer, StatusCode::NOT_FOUND, "not_found");
    assert_eq!(app.me(&victim.access).await.status, StatusCode::OK);
    assert_token_pair(&app.refresh(&victim.refresh).await);
}

#[tokio::test]
async fn unknown_or_malformed_session_ids_are_not_found() {
    let app = TestApp::spawn().await;
    let user = app.register_and_login().await;
    let unknown = uuid::Uuid::new_v4().to_string();

    for id in [
        unknown.as_str(),
        "not-a-uuid",
        "1",
        "%00",
        "..%2F..%2Fusers",
    ] {
        let answer = app.delete_session(&user.access, id).await;

        assert_drf_error(&answer, StatusCode::NOT_FOUND, "not_found");
    }
    assert_eq!(app.me(&user.access).await.status, StatusCode::OK);
}

#[tokio::test]
async fn sessions_need_a_bearer_token() {
    let app = TestApp::spawn().await;
    let id = uuid::Uuid::new_v4().to_string();

    let list = app.get("/api/v1/auth/sessions/", None).await;
    let delete = app
        .send(
            reqwest::Method::DELETE,
            &format!("/api/v1/auth/sessions/{id}/"),
            None,
            None,
        )
        .await;

    assert_unauthorized(&list, "not_authenticated");
    assert_unauthorized(&delete, "not_authenticated");
}

#[tokio::test]
async fn refreshing_a_session_moves_its_last_used_time() {
    let app = TestApp::spawn().await;
    let user = app.register_and_login().await;
    app.clock.advance(std::time::Duration::from_mins(1));

    let refreshed = app.refresh(&user.refresh).await;

    assert_token_pair(&refreshed);
    let list = app.sessions(refreshed.str("access")).await.body;
    let session = &list[0];
    let parse =
        |key: &str| chrono::DateTime::parse_from_rfc3339(session[key].as_str().unwrap()).unwrap();
    assert_eq!(
        (parse("last_used") - parse("created")).num_seconds(),
        60,
        "{session:#}"
    );
}

#[tokio::test]
async fn expired_sessions_are_not_listed() {
    let app = TestApp::spawn().await;
    let user = app.register_and_login().await;
    app.clock
        .advance(std::time::Duration::from_secs(14 * 24 * 3600 + 1));
    let (access, _) = app.login_tokens(&user.username, &user.password).await;

    let answer = app.sessions(&access).await;

    assert_eq!(answer.status, StatusCode::OK, "{answer:#?}");
    let ids: Vec<_> = answer
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].clone())
        .collect();
    assert_eq!(ids, [serde_json::json!(sid(&access))], "{answer:#?}");
}
