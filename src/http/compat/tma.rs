//! TMA (Task-Management-API-Assessment): `api/token/`. Its `api/register/` and
//! `api/token/refresh/` are shared with other seeds (`shapes`); its task routes come later.
//!
//! The README's login body carries username, password and email; the username logs in (the
//! email when no username is sent). Its README says both `{refresh, access}` and
//! `{id, username, email}`: the answer has both.

use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::shapes::with_tokens;
use crate::app::AppState;
use crate::auth::Device;
use crate::http::auth::login_with_password;
use crate::http::error::ApiError;
use crate::http::extract::Json;
use crate::http::openapi::schemas::{ErrorBody, OrChallenge, TmaToken};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(token))
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(as = TmaTokenBody)]
pub struct TokenBody {
    username: Option<String>,
    email: Option<String>,
    #[schema(value_type = String, required = true)]
    password: Option<String>,
}

#[utoipa::path(
    post,
    path = "/api/token/",
    tag = "seed: TMA",
    request_body = TokenBody,
    responses(
        (status = 200, description = "The pair and `{id, username, email}`.", body = OrChallenge<TmaToken>),
        (status = 401, description = "Bad credentials: `invalid_credentials`.", body = ErrorBody),
    )
)]
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
