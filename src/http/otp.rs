//! `/api/v1/auth/otp/` and `token/otp/`: passwordless login with a 6-digit code sent by email.

use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::post;

use super::activation::{EmailBody, EmailCodeBody, email_and_code, email_only};
use super::dto::{TokensOut, accepted};
use super::error::ApiError;
use super::extract::Json;
use crate::accounts;
use crate::app::AppState;
use crate::auth::Device;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/otp/", post(request))
        .route("/token/otp/", post(login))
}

/// Emails a login code to an active account; the answer is the same for any address.
async fn request(
    State(state): State<AppState>,
    Json(body): Json<EmailBody>,
) -> Result<Response, ApiError> {
    let email = email_only(&body)?;
    accounts::login::request_code(&state, &email).await?;
    Ok(accepted())
}

async fn login(
    State(state): State<AppState>,
    device: Device,
    Json(body): Json<EmailCodeBody>,
) -> Result<TokensOut, ApiError> {
    let (email, code) = email_and_code(&body)?;
    let (pair, user) = accounts::login::code_login(&state, &email, &code, device).await?;
    Ok(TokensOut::new(pair, Some(user)))
}
