//! `/api/v1/auth/otp/` and `token/otp/`: passwordless login with a 6-digit code sent by email.

use axum::extract::State;
use axum::response::Response;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::activation::{EmailBody, EmailCodeBody, email_and_code, email_only};
use super::dto::{TokensOut, accepted};
use super::error::ApiError;
use super::extract::Json;
use crate::accounts;
use crate::app::AppState;
use crate::auth::Device;
use crate::http::openapi::schemas::{Detail, ErrorBody, OrChallenge};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(request))
        .routes(routes!(login))
}

/// Emails a login code to an active account; the answer is the same for any address.
#[utoipa::path(
    post,
    path = "/otp/",
    tag = "auth",
    request_body = EmailBody,
    responses(
        (status = 202, description = "The same answer for any address; an active account gets a login code.", body = Detail),
    )
)]
async fn request(
    State(state): State<AppState>,
    Json(body): Json<EmailBody>,
) -> Result<Response, ApiError> {
    let email = email_only(&body)?;
    accounts::login::request_code(&state, &email).await?;
    Ok(accepted())
}

#[utoipa::path(
    post,
    path = "/token/otp/",
    tag = "auth",
    request_body = EmailCodeBody,
    responses(
        (status = 200, description = "A token pair and the user.", body = OrChallenge<TokensOut>),
        (status = 401, description = "The account may not log in.", body = ErrorBody),
    )
)]
async fn login(
    State(state): State<AppState>,
    device: Device,
    Json(body): Json<EmailCodeBody>,
) -> Result<TokensOut, ApiError> {
    let (email, code) = email_and_code(&body)?;
    let (pair, user) = accounts::login::code_login(&state, &email, &code, device).await?;
    Ok(TokensOut::new(pair, Some(user)))
}
