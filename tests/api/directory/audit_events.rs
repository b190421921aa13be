//! Every security event the account flows cause lands in the audit log with actor, target, IP
//! and user agent — and never a password, code or token.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::support::{Cast, Kind, get};
use crate::email_flows::support::{MailTest, NEW_PASSWORD};
use crate::helpers::{PASSWORD, TestApp, USER_AGENT};

/// The audit entries concerning `user`, oldest first, as `(event, actor, detail)`.
async fn trail(app: &TestApp, staff: &str, user: i64) -> Vec<(String, Value, Value)> {
    let answer = get(
        app,
        &format!("/api/v1/admin/audit/?user={user}&page_size=100"),
        staff,
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{answer:#?}");
    let mut entries: Vec<(String, Value, Value)> = answer.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            assert_eq!(
                (e["ip"].as_str(), e["user_agent"].as_str()),
                (Some("127.0.0.1"), Some(USER_AGENT))
            );
            (
                e["event"].as_str().unwrap().to_owned(),
                e["actor"].clone(),
                e["detail"].clone(),
            )
        })
        .collect();
    entries.reverse();
    entries
}

fn events(trail: &[(String, Value, Value)]) -> Vec<&str> {
    trail.iter().map(|(e, _, _)| e.as_str()).collect()
}

#[tokio::test]
async fn logins_logouts_refresh_reuse_and_password_changes_are_recorded() {
    let app = TestApp::spawn().await;
    let cast = Cast::new(&app).await;
    let boss = cast.member(&app, Kind::Staff, "boss").await;
    let ann = cast.member(&app, Kind::Client, "ann").await;

    app.login(&ann.username, "Wrong-password-1").await;
    app.login("nobody_here", "Wrong-password-1").await;
    let (_, first) = app.login_tokens(&ann.username, PASSWORD).await;
    let second = app.refresh(&first).await.str("refresh").to_owned();
    app.refresh(&second).await;
    let replayed = app.refresh(&first).await;
    let (next, _) = app.login_tokens(&ann.username, PASSWORD).await;
    let changed = app.change_password(&next, PASSWORD, NEW_PASSWORD).await;
    let logout = app.logout(changed.str("access"), None).await;
    assert_eq!(
        replayed.body["code"], "refresh_token_reused",
        "{replayed:#?}"
    );
    assert_eq!(logout.status, StatusCode::NO_CONTENT, "{logout:#?}");

    let trail = trail(&app, &boss.access, ann.id).await;
    let names = events(&trail);
    assert_eq!(
        names,
        [
            "login.succeeded",
            "login.failed",
            "login.succeeded",
            "refresh.reuse_detected",
            "login.succeeded",
            "password.changed",
            "logout",
        ],
        "{trail:#?}"
    );
    assert_eq!(trail[1].2, json!({"method": "password"}));
    assert_eq!(trail[1].1, Value::Null, "a failed login has no actor");
    assert_eq!(trail[0].1, json!(ann.id));
    let all = get(
        &app,
        "/api/v1/admin/audit/?event=login.failed",
        &boss.access,
    )
    .await;
    assert_eq!(
        all.body["count"], 2,
        "the unknown login is recorded without a target: {all:#?}"
    );
    assert!(!all.body.to_string().contains("nobody_here"));
}

#[tokio::test]
async fn activation_reset_email_change_and_deletion_are_recorded() {
    let t = MailTest::spawn().await;
    let cast = Cast::new(&t.app).await;
    let boss = cast.member(&t.app, Kind::Staff, "boss").await;
    let ann = t.verified_user().await;
    let reset = t.reset_mail(&ann.email).await;
    let confirmed = t
        .app
        .submit_reset_page_json(&reset.reset_path(), NEW_PASSWORD)
        .await;
    assert_eq!(confirmed.status, StatusCode::OK, "{confirmed:#?}");
    t.deliver_one(&ann.email).await; // "your password was changed"
    let (access, _) = t.app.login_tokens(&ann.username, NEW_PASSWORD).await;
    let asked = t
        .app
        .request_email_change(&access, "moved.ann@example.com", NEW_PASSWORD)
        .await;
    assert_eq!(asked.status, StatusCode::ACCEPTED, "{asked:#?}");
    let code = t.deliver_one("moved.ann@example.com").await.code();
    let moved = t.app.confirm_email_change(&access, &json!(code)).await;
    assert_eq!(moved.status, StatusCode::OK, "{moved:#?}");
    let gone = t
        .app
        .delete_me(&access, &json!({"current_password": NEW_PASSWORD}))
        .await;
    assert_eq!(gone.status, StatusCode::NO_CONTENT, "{gone:#?}");

    let trail = trail(&t.app, &boss.access, ann.id).await;
    assert_eq!(
        events(&trail),
        [
            "account.activated",
            "login.succeeded",
            "password.reset",
            "login.succeeded",
            "email.changed",
            "account.deleted",
        ],
        "{trail:#?}"
    );
    assert_eq!(
        trail[4].2,
        json!({"from": ann.email, "to": "moved.ann@example.com"})
    );
    let text = format!("{trail:?}");
    for secret in [code.as_str(), NEW_PASSWORD, reset.reset_token().as_str()] {
        assert!(!text.contains(secret), "a secret in the audit log: {text}");
    }
}
