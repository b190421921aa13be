//! `/api/v1/auth/sessions/`: the caller's live sessions (one per login/device), and revoking one.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use gatehouse_domain::{Session, SessionId};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::error::ApiError;
use super::extract::AuthUser;
use crate::accounts;
use crate::app::AppState;
use crate::auth::Device;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(revoke))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SessionOut {
    /// Equal to the `sid` claim of this session's access tokens.
    id: Uuid,
    device: String,
    ip: String,
    created: DateTime<Utc>,
    last_used: DateTime<Utc>,
    current: bool,
}

impl SessionOut {
    /// `current` marks the session the caller is using.
    pub fn new(s: Session, current: bool) -> Self {
        Self {
            id: s.id.0,
            device: s.user_agent,
            ip: s.ip,
            created: s.created_at,
            last_used: s.last_used_at,
            current,
        }
    }
}

#[utoipa::path(
    get,
    path = "/sessions/",
    tag = "auth",
    responses((status = 200, description = "The caller's live sessions.", body = Vec<SessionOut>)),
    security(("bearer" = []))
)]
async fn list(
    State(state): State<AppState>,
    caller: AuthUser,
) -> Result<axum::Json<Vec<SessionOut>>, ApiError> {
    let sessions = state
        .store
        .live_sessions(caller.user.id, state.sessions.now())
        .await?;
    Ok(axum::Json(
        sessions
            .into_iter()
            .map(|s| {
                let current = s.id == caller.session;
                SessionOut::new(s, current)
            })
            .collect(),
    ))
}

/// Another user's session id answers 404, exactly like an unknown one.
#[utoipa::path(
    delete,
    path = "/sessions/{id}/",
    tag = "auth",
    params(("id" = String, Path, description = "The session id (the `sid` claim).")),
    responses((status = 204, description = "The session ended.")),
    security(("bearer" = []))
)]
async fn revoke(
    State(state): State<AppState>,
    caller: AuthUser,
    device: Device,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let id = Uuid::try_parse(&id)
        .map(SessionId)
        .map_err(|_| ApiError::NotFound)?;
    accounts::tokens::end_session(&state, &caller.user, id, &device).await?;
    Ok(StatusCode::NO_CONTENT)
}
