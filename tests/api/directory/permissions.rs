//! The permission matrix: every user and admin endpoint, called by an anonymous caller, a
//! client, an employee, a staff member and a superuser, each with the status it must get.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::support::{Cast, Kind};
use crate::helpers::TestApp;

/// The five callers, in the order of every row's expected statuses.
const CALLERS: [&str; 5] = ["anonymous", "client", "employee", "staff", "superuser"];

struct Row {
    name: &'static str,
    method: Method,
    /// `{target}` is replaced by a target the row chooses; `{new}` by a fresh name per caller.
    path: String,
    body: Option<Value>,
    expect: [u16; 5],
}

fn row(
    name: &'static str,
    method: Method,
    path: String,
    body: Option<Value>,
    expect: [u16; 5],
) -> Row {
    Row {
        name,
        method,
        path,
        body,
        expect,
    }
}

/// Replaces `{new}` in string values with a name unique to this call.
fn fresh(body: &Value) -> Value {
    let tag = &uuid::Uuid::new_v4().simple().to_string()[..8];
    let text = body.to_string().replace("{new}", &format!("new_{tag}"));
    serde_json::from_str(&text).unwrap()
}

/// The user rows; `m` is a member's id and `s` a staff member's.
fn user_rows(m: i64, s: i64) -> Vec<Row> {
    vec![
        row(
            "list users",
            Method::GET,
            "/api/v1/users/".into(),
            None,
            [401, 200, 200, 200, 200],
        ),
        row(
            "see a member",
            Method::GET,
            format!("/api/v1/users/{m}/"),
            None,
            [401, 200, 200, 200, 200],
        ),
        row(
            "see a staff account",
            Method::GET,
            format!("/api/v1/users/{s}/"),
            None,
            [401, 404, 404, 200, 200],
        ),
        row(
            "change a member's role",
            Method::PATCH,
            format!("/api/v1/users/{m}/"),
            Some(json!({"role": "client"})),
            [401, 403, 403, 200, 200],
        ),
        row(
            "change a staff account",
            Method::PATCH,
            format!("/api/v1/users/{s}/"),
            Some(json!({"is_active": true})),
            [401, 403, 403, 403, 200],
        ),
        row(
            "grant staff",
            Method::PATCH,
            format!("/api/v1/users/{m}/"),
            Some(json!({"is_staff": false})),
            [401, 403, 403, 403, 200],
        ),
        row(
            "delete a user",
            Method::DELETE,
            "{victim}".into(),
            None,
            [401, 403, 403, 403, 204],
        ),
        row(
            "invite a client",
            Method::POST,
            "/api/v1/users/invite/".into(),
            Some(json!({"username": "{new}", "email": "{new}@example.com", "role": "client"})),
            [401, 403, 201, 201, 201],
        ),
        row(
            "invite an employee",
            Method::POST,
            "/api/v1/users/invite/".into(),
            Some(json!({"username": "{new}", "email": "{new}@example.com", "role": "employee"})),
            [401, 403, 403, 201, 201],
        ),
    ]
}

/// The admin rows; `m` is a member's id.
fn admin_rows(m: i64) -> Vec<Row> {
    let missing_job = "/api/v1/admin/jobs/987654321/retry/".to_owned();
    let unknown_session = format!(
        "/api/v1/admin/users/{}/sessions/{}/",
        m,
        uuid::Uuid::new_v4()
    );
    vec![
        row(
            "read the audit log",
            Method::GET,
            "/api/v1/admin/audit/".into(),
            None,
            [401, 403, 403, 200, 200],
        ),
        row(
            "list jobs",
            Method::GET,
            "/api/v1/admin/jobs/".into(),
            None,
            [401, 403, 403, 200, 200],
        ),
        row(
            "retry a job",
            Method::POST,
            missing_job,
            None,
            [401, 403, 403, 404, 404],
        ),
        row(
            "list a user's sessions",
            Method::GET,
            format!("/api/v1/admin/users/{m}/sessions/"),
            None,
            [401, 403, 403, 200, 200],
        ),
        row(
            "revoke one session",
            Method::DELETE,
            unknown_session,
            None,
            [401, 403, 403, 404, 404],
        ),
        row(
            "revoke a user's sessions",
            Method::DELETE,
            format!("/api/v1/admin/users/{m}/sessions/"),
            None,
            [401, 403, 403, 204, 204],
        ),
    ]
}

#[tokio::test]
async fn every_endpoint_answers_each_kind_of_caller_as_specified() {
    let app = TestApp::spawn().await;
    let cast = Cast::new(&app).await;
    let callers = [
        None,
        Some(cast.member(&app, Kind::Client, "client").await),
        Some(cast.member(&app, Kind::Employee, "employee").await),
        Some(cast.member(&app, Kind::Staff, "staff").await),
        Some(cast.member(&app, Kind::Superuser, "super").await),
    ];
    let member = cast.member(&app, Kind::Client, "target").await;
    let staff_target = cast.create(&app, Kind::Staff, "stafftarget", true).await;
    let mut rows = user_rows(member.id, staff_target.id);
    rows.extend(admin_rows(member.id));
    let mut failures = Vec::new();
    for r in &rows {
        for (i, caller) in callers.iter().enumerate() {
            let path = if r.path == "{victim}" {
                let victim = cast.create(&app, Kind::Client, "victim", true).await;
                format!("/api/v1/users/{}/", victim.id)
            } else {
                r.path.clone()
            };
            let body = r.body.as_ref().map(fresh);
            let bearer = caller.as_ref().map(|c| c.access.as_str());
            let answer = app
                .send(r.method.clone(), &path, bearer, body.as_ref())
                .await;
            if answer.status != StatusCode::from_u16(r.expect[i]).unwrap() {
                failures.push(format!(
                    "{} as {}: expected {}, got {} {}",
                    r.name, CALLERS[i], r.expect[i], answer.status, answer.body
                ));
            }
            if answer.status.is_client_error() {
                assert!(
                    answer.body["detail"].is_string(),
                    "{} as {}: {answer:#?}",
                    r.name,
                    CALLERS[i]
                );
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
