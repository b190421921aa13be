//! `/api/v1/auth/register/verify/` and `register/resend/`: proving the email address of a new
//! account with the 6-digit code sent at registration.

use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::post;
use gatehouse_domain::{Email, OtpCode};
use serde::Deserialize;
use serde_json::json;

use super::dto::{UserOut, accepted};
use super::error::ApiError;
use super::extract::Json;
use super::validate::Checks;
use crate::accounts;
use crate::app::AppState;
use crate::auth::Device;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/register/verify/", post(verify))
        .route("/register/resend/", post(resend))
}

#[derive(Debug, Deserialize)]
pub struct EmailCodeBody {
    pub email: Option<String>,
    pub code: Option<String>,
}

/// Parses `{email, code}`, reporting every problem at once.
pub fn email_and_code(body: &EmailCodeBody) -> Result<(Email, OtpCode), ApiError> {
    let mut c = Checks::new();
    let email = c.required("email", body.email.as_deref());
    let email = c.parse("email", email, Email::parse);
    let code = c.required("code", body.code.as_deref());
    let code = c.parse("code", code, OtpCode::parse);
    c.finish()?;
    email
        .zip(code)
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("validated fields missing")))
}

#[derive(Debug, Deserialize)]
pub struct EmailBody {
    pub email: Option<String>,
}

/// Parses `{email}`.
pub fn email_only(body: &EmailBody) -> Result<Email, ApiError> {
    let mut c = Checks::new();
    let email = c.required("email", body.email.as_deref());
    let email = c.parse("email", email, Email::parse);
    c.finish()?;
    email.ok_or_else(|| ApiError::Internal(anyhow::anyhow!("validated email missing")))
}

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
async fn resend(
    State(state): State<AppState>,
    Json(body): Json<EmailBody>,
) -> Result<Response, ApiError> {
    let email = email_only(&body)?;
    accounts::activation::resend(&state, &email).await?;
    Ok(accepted())
}
