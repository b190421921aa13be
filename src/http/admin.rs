//! `/api/v1/admin/` (staff): the audit log, any user's sessions, and the job queue with its dead
//! letters. Job payloads are never shown: emails carry codes and links.

use axum::extract::rejection::PathRejection;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use chrono::{DateTime, Utc};
use gatehouse_domain::{AuditEvent, AuditQuery, JobId, JobRecord, JobState, SessionId, User};
use serde::Serialize;
use serde_json::{Value, json};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::directory::visible_user;
use super::error::ApiError;
use super::extract::AuthUser;
use super::paging::{Page, PageRequest, Params};
use super::sessions::SessionOut;
use super::validate::Checks;
use crate::app::AppState;
use crate::auth::Device;
use crate::http::openapi::params::PageParams;
use crate::http::openapi::schemas::ErrorBody;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(audit))
        .routes(routes!(jobs))
        .routes(routes!(retry_job))
        .routes(routes!(user_sessions, revoke_user_sessions))
        .routes(routes!(revoke_user_session))
}

/// A signed-in staff member or superuser; anyone else signed in is 403.
#[derive(Debug)]
pub struct Staff(pub User);

impl FromRequestParts<AppState> for Staff {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let caller = AuthUser::from_request_parts(parts, state).await?;
        if caller.user.is_staff_member() {
            Ok(Self(caller.user))
        } else {
            Err(ApiError::Forbidden(
                "You do not have permission to perform this action.".to_owned(),
            ))
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
struct AuditOut {
    id: i64,
    event: &'static str,
    actor: Option<i64>,
    target: Option<i64>,
    ip: String,
    user_agent: String,
    detail: Value,
    at: DateTime<Utc>,
}

fn rfc3339(c: &mut Checks, field: &str, raw: Option<&str>) -> Option<DateTime<Utc>> {
    c.parse(field, raw, |raw| {
        DateTime::parse_from_rfc3339(raw)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|_| {
                gatehouse_domain::ParseError(
                    "Use an RFC 3339 time such as 2026-11-23T08:00:00Z.".to_owned(),
                )
            })
    })
}

#[utoipa::path(
    get,
    path = "/audit/",
    tag = "admin",
    params(
        ("user" = Option<String>, Query, description = "Entries by or about this user (id or UUID)."),
        ("event" = Option<String>, Query, description = "Only this event, such as `login.failed`."),
        ("since" = Option<String>, Query, format = DateTime, description = "RFC 3339."),
        ("until" = Option<String>, Query, format = DateTime, description = "RFC 3339."),
        PageParams,
    ),
    responses(
        (status = 200, description = "A page of audit entries, newest first.", body = Page<AuditOut>),
        (status = 403, description = "The caller is not staff.", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
async fn audit(
    State(state): State<AppState>,
    Staff(me): Staff,
    params: Params,
) -> Result<axum::Json<Page<AuditOut>>, ApiError> {
    let mut c = Checks::new();
    let event = c.parse("event", params.get("event"), |raw| {
        AuditEvent::parse(raw).ok_or_else(|| {
            let names: Vec<&str> = AuditEvent::ALL.iter().map(|e| e.as_str()).collect();
            gatehouse_domain::ParseError(format!(
                "\"{raw}\" is not an event; choose one of: {}.",
                names.join(", ")
            ))
        })
    });
    let since = rfc3339(&mut c, "since", params.get("since"));
    let until = rfc3339(&mut c, "until", params.get("until"));
    let page = PageRequest::parse(&mut c, &params)?;
    c.finish()?;
    // A user filter names an account as the directory does; a deleted one by its integer id.
    let user = match params.get("user") {
        None => None,
        Some(raw) => match raw.parse::<i64>() {
            Ok(id) => Some(gatehouse_domain::UserId(id)),
            Err(_) => Some(visible_user(&state, &me, raw).await?.id),
        },
    };
    let query = AuditQuery {
        user,
        event,
        since,
        until,
        offset: page.offset(),
        limit: page.size,
    };
    let found = state.store.audit_entries(&query).await?;
    let entries = found
        .entries
        .into_iter()
        .map(|e| AuditOut {
            id: e.id,
            event: e.entry.event.as_str(),
            actor: e.entry.actor.map(|u| u.0),
            target: e.entry.target.map(|u| u.0),
            ip: e.entry.ip,
            user_agent: e.entry.user_agent,
            detail: serde_json::from_str(&e.entry.detail).unwrap_or(Value::Null),
            at: e.entry.at,
        })
        .collect();
    Page::new(&params, page, found.total, entries).map(axum::Json)
}

#[derive(Debug, Serialize, ToSchema)]
struct JobOut {
    id: i64,
    kind: String,
    state: &'static str,
    attempts: i32,
    run_at: DateTime<Utc>,
    created_at: DateTime<Utc>,
    finished_at: Option<DateTime<Utc>>,
    last_error: String,
}

impl From<JobRecord> for JobOut {
    fn from(j: JobRecord) -> Self {
        Self {
            id: j.id.0,
            kind: j.kind,
            state: j.state.as_str(),
            attempts: j.attempts,
            run_at: j.run_at,
            created_at: j.created_at,
            finished_at: j.finished_at,
            last_error: j.last_error,
        }
    }
}

#[utoipa::path(
    get,
    path = "/jobs/",
    tag = "admin",
    params(
        ("state" = Option<String>, Query, description = "queued, running, done or dead."),
        PageParams,
    ),
    responses(
        (status = 200, description = "A page of jobs, newest first; never their payloads.", body = Page<JobOut>),
        (status = 403, description = "The caller is not staff.", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
async fn jobs(
    State(state): State<AppState>,
    _: Staff,
    params: Params,
) -> Result<axum::Json<Page<JobOut>>, ApiError> {
    let mut c = Checks::new();
    let job_state = c.parse("state", params.get("state"), |raw| {
        JobState::from_str_opt(raw).ok_or_else(|| {
            gatehouse_domain::ParseError(format!(
                "\"{raw}\" is not a job state; choose one of: queued, running, done, dead."
            ))
        })
    });
    let page = PageRequest::parse(&mut c, &params)?;
    c.finish()?;
    let found = state
        .store
        .list_jobs(job_state, page.offset(), page.size)
        .await?;
    let jobs = found.jobs.into_iter().map(JobOut::from).collect();
    Page::new(&params, page, found.total, jobs).map(axum::Json)
}

/// Puts a dead job back in the queue, to run now with a fresh set of attempts.
#[utoipa::path(
    post,
    path = "/jobs/{id}/retry/",
    tag = "admin",
    params(("id" = i64, Path, description = "The job id.")),
    responses(
        (status = 200, description = "The job, queued again.", body = JobOut),
        (status = 403, description = "The caller is not staff.", body = ErrorBody),
        (status = 409, description = "The job is not dead.", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
async fn retry_job(
    State(state): State<AppState>,
    Staff(me): Staff,
    path: Result<Path<String>, PathRejection>,
) -> Result<axum::Json<JobOut>, ApiError> {
    let id = path
        .ok()
        .and_then(|Path(raw)| raw.parse::<i64>().ok())
        .map(JobId)
        .ok_or(ApiError::NotFound)?;
    let job = state.store.job(id).await?.ok_or(ApiError::NotFound)?;
    if !state.store.requeue_dead_job(id, state.clock.now()).await? {
        return Err(ApiError::Conflict(format!(
            "Only a dead job can be retried; this one is {}.",
            job.state.as_str()
        )));
    }
    state.jobs_wake.notify_one();
    tracing::info!(job.id = id.0, by = %me.id, "dead job put back in the queue");
    let job = state.store.job(id).await?.ok_or(ApiError::NotFound)?;
    Ok(axum::Json(job.into()))
}

fn path_user(path: Result<Path<String>, PathRejection>) -> Result<String, ApiError> {
    path.map(|Path(raw)| raw).map_err(|_| ApiError::NotFound)
}

#[utoipa::path(
    get,
    path = "/users/{id}/sessions/",
    tag = "admin",
    params(("id" = String, Path, description = "The integer id or the public UUID.")),
    responses(
        (status = 200, description = "The user's live sessions.", body = Vec<SessionOut>),
        (status = 403, description = "The caller is not staff.", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
async fn user_sessions(
    State(state): State<AppState>,
    Staff(me): Staff,
    path: Result<Path<String>, PathRejection>,
) -> Result<axum::Json<Vec<SessionOut>>, ApiError> {
    let user = visible_user(&state, &me, &path_user(path)?).await?;
    let sessions = state
        .store
        .live_sessions(user.id, state.clock.now())
        .await?;
    Ok(axum::Json(
        sessions
            .into_iter()
            .map(|s| SessionOut::new(s, false))
            .collect(),
    ))
}

#[utoipa::path(
    delete,
    path = "/users/{id}/sessions/",
    tag = "admin",
    params(("id" = String, Path, description = "The integer id or the public UUID.")),
    responses(
        (status = 204, description = "Every session of the user ended."),
        (status = 403, description = "The caller is not staff.", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
async fn revoke_user_sessions(
    State(state): State<AppState>,
    Staff(me): Staff,
    device: Device,
    path: Result<Path<String>, PathRejection>,
) -> Result<StatusCode, ApiError> {
    let user = visible_user(&state, &me, &path_user(path)?).await?;
    let revoked = state
        .store
        .revoke_user_sessions(user.id, None, state.clock.now())
        .await?;
    state.sessions.announce_revoked(&revoked).await;
    record_revocation(
        &state,
        &me,
        &user,
        &device,
        &json!({"sessions": revoked.len()}),
    )
    .await;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    delete,
    path = "/users/{id}/sessions/{sid}/",
    tag = "admin",
    params(
        ("id" = String, Path, description = "The integer id or the public UUID."),
        ("sid" = String, Path, description = "The session id."),
    ),
    responses(
        (status = 204, description = "The session ended."),
        (status = 403, description = "The caller is not staff.", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
async fn revoke_user_session(
    State(state): State<AppState>,
    Staff(me): Staff,
    device: Device,
    Path((raw, sid)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let user = visible_user(&state, &me, &raw).await?;
    let sid = Uuid::try_parse(&sid)
        .map(SessionId)
        .map_err(|_| ApiError::NotFound)?;
    if !state
        .store
        .revoke_session(sid, user.id, state.clock.now())
        .await?
    {
        return Err(ApiError::NotFound);
    }
    state.sessions.announce_revoked(&[sid]).await;
    record_revocation(&state, &me, &user, &device, &json!({"session": sid.0})).await;
    Ok(StatusCode::NO_CONTENT)
}

async fn record_revocation(
    state: &AppState,
    me: &User,
    user: &User,
    device: &Device,
    detail: &Value,
) {
    state
        .audit
        .event(AuditEvent::SessionRevoked, device)
        .actor(me.id)
        .target(user.id)
        .detail(detail)
        .record()
        .await;
    tracing::info!(user.id = %user.id, by = %me.id, "sessions revoked by staff");
}
