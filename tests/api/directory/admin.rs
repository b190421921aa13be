//! The admin API: the audit log with its filters, any user's sessions, and dead jobs.

use chrono::{Duration, Utc};
use gatehouse_domain::{JobState, NewJob};
use reqwest::{Method, StatusCode};
use serde_json::json;

use super::support::{Cast, Kind, delete, get, patch};
use crate::helpers::{TestApp, USER_AGENT, assert_drf_error, assert_field_error};

#[tokio::test]
async fn the_audit_log_records_staff_actions_with_who_whom_and_where() {
    let app = TestApp::spawn().await;
    let cast = Cast::new(&app).await;
    let boss = cast.member(&app, Kind::Staff, "boss").await;
    let root = cast.member(&app, Kind::Superuser, "root").await;
    let ann = cast.member(&app, Kind::Client, "ann").await;
    let bob = cast.member(&app, Kind::Client, "bob").await;
    // The server stamps entries with its own (manual) clock.
    let start = app.clock.now() - Duration::seconds(1);

    patch(
        &app,
        &format!("/api/v1/users/{}/", ann.id),
        &boss.access,
        &json!({"role": "employee"}),
    )
    .await;
    delete(
        &app,
        &format!("/api/v1/admin/users/{}/sessions/", ann.id),
        &boss.access,
    )
    .await;
    delete(&app, &format!("/api/v1/users/{}/", bob.id), &root.access).await;

    let all = get(&app, "/api/v1/admin/audit/?page_size=100", &boss.access).await;
    let about_ann = get(
        &app,
        &format!("/api/v1/admin/audit/?user={}", ann.id),
        &boss.access,
    )
    .await;
    let deletions = get(
        &app,
        "/api/v1/admin/audit/?event=account.deleted",
        &boss.access,
    )
    .await;
    let since = start.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let windowed = get(
        &app,
        &format!("/api/v1/admin/audit/?since={}", since.replace('+', "%2B")),
        &boss.access,
    )
    .await;
    let future = get(
        &app,
        "/api/v1/admin/audit/?since=2999-01-01T00:00:00Z",
        &boss.access,
    )
    .await;

    assert_eq!(all.status, StatusCode::OK, "{all:#?}");
    let updated = all.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["event"] == "account.updated")
        .unwrap_or_else(|| panic!("no account.updated in {all:#?}"))
        .clone();
    assert_eq!(
        (updated["actor"].clone(), updated["target"].clone()),
        (json!(boss.id), json!(ann.id))
    );
    assert_eq!(updated["detail"], json!({"role": "employee"}));
    assert_eq!(
        (updated["ip"].clone(), updated["user_agent"].clone()),
        (json!("127.0.0.1"), json!(USER_AGENT))
    );
    let events: Vec<&str> = about_ann.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert!(
        events.contains(&"account.updated") && events.contains(&"session.revoked"),
        "{events:?}"
    );
    assert_eq!(deletions.body["count"], 1, "{deletions:#?}");
    assert_eq!(
        deletions.body["results"][0]["detail"]["username"],
        bob.username
    );
    assert!(
        windowed.body["count"].as_u64().unwrap() >= 3,
        "{windowed:#?}"
    );
    assert_eq!(future.body["count"], 0);
    assert_field_error(
        &get(&app, "/api/v1/admin/audit/?event=login.maybe", &boss.access).await,
        "event",
    );
    assert_field_error(
        &get(&app, "/api/v1/admin/audit/?since=yesterday", &boss.access).await,
        "since",
    );
}

#[tokio::test]
async fn staff_see_and_revoke_anyones_sessions() {
    let app = TestApp::spawn().await;
    let cast = Cast::new(&app).await;
    let boss = cast.member(&app, Kind::Staff, "boss").await;
    let ann = cast.member(&app, Kind::Client, "ann").await;
    let (second_access, _) = app.login_tokens(&ann.username, &ann.password).await;
    let path = format!("/api/v1/admin/users/{}/sessions/", ann.id);

    let listed = get(&app, &path, &boss.access).await;
    let sessions = listed
        .body
        .as_array()
        .unwrap_or_else(|| panic!("{listed:#?}"))
        .clone();
    let first = sessions
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_owned())
        .collect::<Vec<_>>();
    let own_sid = crate::helpers::claims(&ann.access)["sid"]
        .as_str()
        .unwrap()
        .to_owned();
    let revoked = delete(&app, &format!("{path}{own_sid}/"), &boss.access).await;

    assert_eq!(sessions.len(), 2, "{listed:#?}");
    assert!(first.contains(&own_sid));
    assert!(sessions.iter().all(|s| s["current"] == false));
    assert_eq!(revoked.status, StatusCode::NO_CONTENT, "{revoked:#?}");
    assert_eq!(app.me(&ann.access).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.me(&second_access).await.status, StatusCode::OK);
    assert_eq!(
        get(&app, &path, &boss.access)
            .await
            .body
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn dead_jobs_are_listed_without_payload_and_retried_once() {
    let app = TestApp::spawn().await;
    let cast = Cast::new(&app).await;
    let boss = cast.member(&app, Kind::Staff, "boss").await;
    let store = app.store();
    let now = Utc::now();
    let id = store
        .enqueue_job(NewJob {
            kind: "email".into(),
            payload: "{\"secret\":\"123456\"}".into(),
            run_at: now,
        })
        .await
        .unwrap();
    let claimed = store
        .claim_jobs("test-worker", now, now + Duration::seconds(30), 10)
        .await
        .unwrap();
    assert!(claimed.iter().any(|j| j.id == id));
    assert!(
        store
            .bury_job(id, "test-worker", "smtp refused", now)
            .await
            .unwrap()
    );

    let dead = get(&app, "/api/v1/admin/jobs/?state=dead", &boss.access).await;
    let retry_path = format!("/api/v1/admin/jobs/{}/retry/", id.0);
    let retried = app
        .send(Method::POST, &retry_path, Some(&boss.access), None)
        .await;
    let again = app
        .send(Method::POST, &retry_path, Some(&boss.access), None)
        .await;

    assert_eq!(dead.body["count"], 1, "{dead:#?}");
    let job = &dead.body["results"][0];
    assert_eq!(
        (job["id"].clone(), job["last_error"].clone()),
        (json!(id.0), json!("smtp refused"))
    );
    assert!(job.get("payload").is_none() && !dead.body.to_string().contains("123456"));
    assert_eq!(retried.status, StatusCode::OK, "{retried:#?}");
    assert_eq!(
        (
            retried.body["state"].clone(),
            retried.body["attempts"].clone()
        ),
        (json!("queued"), json!(0))
    );
    assert_drf_error(&again, StatusCode::CONFLICT, "conflict");
    assert_eq!(
        store.job(id).await.unwrap().unwrap().state,
        JobState::Queued
    );
    assert_field_error(
        &get(&app, "/api/v1/admin/jobs/?state=zombie", &boss.access).await,
        "state",
    );
}
