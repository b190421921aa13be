//! TMA (Task-Management-API-Assessment): register → token (username, password, email) → refresh.

use reqwest::StatusCode;
use serde_json::json;

use super::{assert_pair, keys};
use crate::helpers::{PASSWORD, TestApp, assert_unauthorized};

#[tokio::test]
async fn a_tma_client_registers_gets_tokens_and_refreshes() {
    let app = TestApp::spawn().await;
    let body = TestApp::new_user_body();
    let registered = app.post("/api/register", &body).await;
    assert_eq!(registered.status, StatusCode::CREATED, "{registered:#?}");
    for key in ["id", "username", "email"] {
        assert!(!registered.body[key].is_null(), "{key}: {registered:#?}");
    }
    assert_eq!(registered.body["username"], body["username"]);

    let token = app.post("/api/token/", &body).await;
    let (access, refresh) = assert_pair(&token);
    assert_eq!(
        keys(&token.body),
        [
            "access",
            "email",
            "expires_in",
            "id",
            "refresh",
            "token_type",
            "username"
        ]
    );
    assert_eq!(token.body["id"], registered.body["id"]);

    let mut again = body.clone();
    again["refresh"] = json!(refresh);
    let refreshed = app.post("/api/token/refresh", &again).await;
    let (fresh, _) = assert_pair(&refreshed);
    assert_eq!(app.me(&fresh).await.status, StatusCode::OK);
    assert_eq!(app.me(&access).await.status, StatusCode::OK);

    let mut wrong = body.clone();
    wrong["password"] = json!(format!("{PASSWORD}-not"));
    assert_unauthorized(
        &app.post("/api/token/", &wrong).await,
        "invalid_credentials",
    );
}
