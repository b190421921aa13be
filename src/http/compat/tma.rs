//! TMA (Task-Management-API-Assessment): `api/token/`. Its `api/register/` and
//! `api/token/refresh/` are shared with other seeds (`shapes`); its task routes come later.
//!
//! The README's login body carries username, password and email; the username logs in (the
//! email when no username is sent). Its README says both `{refresh, access}` and
//! `{id, username, email}`: the answer has both.

use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::post;
use serde::Deserialize;
use serde_json::json;

use super::shapes::with_tokens;
use crate::app::AppState;
use crate::auth::Device;
use crate::http::auth::login_with_password;
use crate::http::error::ApiError;
use crate::http::extract::Json;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/token/", post(token))
}

#[derive(Debug, Deserialize)]
pub struct TokenBody {
    username: Option<String>,
    email: Option<String>,
    password: Option<String>,
}

async fn token(
    State(state): State<AppState>,
    device: Device,
    Json(body): Json<TokenBody>,
) -> Result<Response, ApiError> {
    let login = body.username.as_deref().or(body.email.as_deref());
    let (pair, user) = login_with_password(
        &state,
        ("username", login),
        body.password.as_deref(),
        device,
    )
    .await?;
    Ok(with_tokens(
        &pair,
        json!({"id": user.id.0, "username": user.username, "email": user.email}),
    ))
}
