//! `/api/v1/auth/register/verify/` and `register/resend/`: proving the email address of a new
//! account with the 6-digit code sent at registration.

use axum::extract::State;
use axum::response::Response;
use gatehouse_domain::{Email, OtpCode};
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::dto::{UserOut, accepted};
use super::error::ApiError;
use super::extract::Json;
use super::validate::Checks;
use crate::accounts;
use crate::app::AppState;
use crate::auth::Device;
use crate::http::openapi::schemas::{Activated, Detail};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(verify))
        .routes(routes!(resend))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct EmailCodeBody {
    #[schema(value_type = String, required = true, format = Email)]
    pub email: Option<String>,
    #[schema(value_type = String, required = true)]
    pub code: Option<String>,
}

/// Parses `{email, code}`, reporting every problem at once.
pub fn email_and_code(body: &EmailCodeBody) -> Result<(Email, OtpCode), ApiError> {
    let mut c = Checks::new();
    let email = c.email("email", body.email.as_deref());
    let code = c.code("code", body.code.as_deref());
    c.finish()?;
    email
        .zip(code)
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("validated fields missing")))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct EmailBody {
    #[schema(value_type = String, required = true, format = Email)]
    pub email: Option<String>,
}

/// Parses `{email}`.
pub fn email_only(body: &EmailBody) -> Result<Email, ApiError> {
    let mut c = Checks::new();
    let email = c.email("email", body.email.as_deref());
    c.finish()?;
    email.ok_or_else(|| ApiError::Internal(anyhow::anyhow!("validated email missing")))
}

#[utoipa::path(
    post,
    path = "/register/verify/",
    tag = "auth",
    request_body = EmailCodeBody,
    responses(
        (status = 200, description = "The account is active and its email verified.", body = Activated),
    )
)]
async fn verify(
    State(state): State<AppState>,
    device: Device,
    Json(body): Json<EmailCodeBody>,
) -> Result<axum::Json<serde_json::Value>, ApiError> {
    let (email, code) = email_and_code(&body)?;
    let user = accounts::activation::activate(&state, &email, &code, &device).await?;
    Ok(axum::Json(json!({
        "detail": "Your account is active.",
        "user": UserOut::from(user),
    })))
}

/// Sends a new activation code if the address belongs to an account that is not yet verified;
/// the answer is the same either way.
#[utoipa::path(
    post,
    path = "/register/resend/",
    tag = "auth",
    request_body = EmailBody,
    responses(
        (status = 202, description = "The same answer whether or not the account exists.", body = Detail),
    )
)]
async fn resend(
    State(state): State<AppState>,
    Json(body): Json<EmailBody>,
) -> Result<Response, ApiError> {
    let email = email_only(&body)?;
    accounts::activation::resend(&state, &email).await?;
    Ok(accepted())
}
