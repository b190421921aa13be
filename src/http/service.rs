//! Service endpoints: liveness, readiness (the database answers), the JWKS.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::app::AppState;
use crate::http::openapi::schemas::{ErrorBody, Jwks, Ready, Status};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(healthz))
        .routes(routes!(readyz))
        .routes(routes!(jwks))
}

#[utoipa::path(
    get,
    path = "/healthz/",
    tag = "service",
    responses((status = 200, description = "The process is up.", body = Status))
)]
async fn healthz() -> axum::Json<serde_json::Value> {
    axum::Json(json!({"status": "ok"}))
}

#[utoipa::path(
    get,
    path = "/readyz/",
    tag = "service",
    responses(
        (status = 200, description = "The database answers.", body = Ready),
        (status = 503, description = "The database is unreachable: `not_ready`.", body = ErrorBody),
    )
)]
async fn readyz(State(state): State<AppState>) -> Response {
    match state.store.ping().await {
        Ok(()) => axum::Json(json!({"status": "ok", "database": "ok"})).into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check: database unreachable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                axum::Json(json!({"detail": "The database is unreachable.", "code": "not_ready"})),
            )
                .into_response()
        }
    }
}

#[utoipa::path(
    get,
    path = "/.well-known/jwks.json",
    tag = "service",
    responses(
        (status = 200, description = "The public keys that verify access tokens.", body = Jwks),
    )
)]
async fn jwks(State(state): State<AppState>) -> axum::Json<serde_json::Value> {
    axum::Json(state.keys.jwks())
}
