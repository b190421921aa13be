//! Password reset, in all three shapes the seeds use, on one mechanism:
//! - request: `password/reset/` emails a 6-digit code and a link (same answer for any address);
//! - code then token: `password/reset/verify/` trades the code for a short-lived reset token;
//! - confirm: `password/reset/confirm/` takes a reset token, or email + code, or the link's token,
//!   with the new password. Every session of the user ends, and they are told by email.
//!
//! Reset tokens are one-time secrets of their own purpose, looked up by keyed hash: an access or
//! refresh token can never stand in for one.

use axum::extract::State;
use axum::response::Response;
use gatehouse_domain::{Purpose, User};
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::activation::{EmailBody, EmailCodeBody, email_and_code, email_only};
use super::dto::accepted;
use super::error::ApiError;
use super::extract::Json;
use super::validate::Checks;
use crate::accounts;
use crate::accounts::reset::Proof;
use crate::app::AppState;
use crate::auth::Device;
use crate::http::openapi::schemas::{Detail, ResetToken};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(request))
        .routes(routes!(verify))
        .routes(routes!(confirm))
}

#[utoipa::path(
    post,
    path = "/password/reset/",
    tag = "auth",
    request_body = EmailBody,
    responses(
        (status = 202, description = "The same answer for any address; an active account is emailed a code and a link.", body = Detail),
    )
)]
async fn request(
    State(state): State<AppState>,
    device: Device,
    Json(body): Json<EmailBody>,
) -> Result<Response, ApiError> {
    let email = email_only(&body)?;
    accounts::reset::request(&state, &email, &device).await?;
    Ok(accepted())
}

#[utoipa::path(
    post,
    path = "/password/reset/verify/",
    tag = "auth",
    request_body = EmailCodeBody,
    responses(
        (status = 200, description = "A short-lived reset token for `password/reset/confirm/`.", body = ResetToken),
    )
)]
async fn verify(
    State(state): State<AppState>,
    device: Device,
    Json(body): Json<EmailCodeBody>,
) -> Result<axum::Json<serde_json::Value>, ApiError> {
    let (email, code) = email_and_code(&body)?;
    let token = accounts::reset::verify_code(&state, &email, &code, None, &device).await?;
    Ok(axum::Json(json!({
        "reset_token": token,
        "expires_in": state.secrets.reset_token_ttl().as_secs(),
    })))
}

/// The ways a client may prove it may reset, and the new password.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[schema(as = ResetConfirmBody)]
pub struct ConfirmBody {
    pub reset_token: Option<String>,
    /// The token from the emailed link.
    pub token: Option<String>,
    /// Accepted beside `token` for clients of Django-style `uid` + `token` links; not needed.
    pub uid: Option<String>,
    pub email: Option<String>,
    pub code: Option<String>,
    #[schema(value_type = String, required = true)]
    pub new_password: Option<String>,
    pub re_new_password: Option<String>,
}

#[utoipa::path(
    post,
    path = "/password/reset/confirm/",
    tag = "auth",
    request_body = ConfirmBody,
    responses(
        (status = 200, description = "The password is reset and every session ended.", body = Detail),
    )
)]
async fn confirm(
    State(state): State<AppState>,
    device: Device,
    Json(body): Json<ConfirmBody>,
) -> Result<axum::Json<serde_json::Value>, ApiError> {
    reset_password(&state, &body, "re_new_password", &device).await?;
    Ok(axum::Json(
        json!({"detail": "Your password has been reset. Log in with the new password."}),
    ))
}

/// Parses the proof and the new password (`again_field` names the confirmation field in the
/// caller's wire format), then resets.
pub async fn reset_password(
    state: &AppState,
    body: &ConfirmBody,
    again_field: &str,
    device: &Device,
) -> Result<User, ApiError> {
    let mut c = Checks::new();
    let new = c.required("new_password", body.new_password.as_deref());
    let again = body.re_new_password.as_deref();
    c.confirmation(again_field, new, again);
    let proof = proof(&mut c, body);
    c.finish()?;
    let (Some(new), Some(proof)) = (new, proof) else {
        return Err(ApiError::Internal(anyhow::anyhow!(
            "validated proof missing"
        )));
    };
    accounts::reset::confirm(state, proof, ("new_password", new), device).await
}

/// Exactly one way to prove the reset: `reset_token`, `token` (from the link), or `email` + `code`.
fn proof(c: &mut Checks, body: &ConfirmBody) -> Option<Proof> {
    let present = |v: &Option<String>| v.as_deref().is_some_and(|s| !s.trim().is_empty());
    if present(&body.reset_token) {
        let token = c.required("reset_token", body.reset_token.as_deref())?;
        return Some(Proof::Token(Purpose::ResetToken, token.trim().to_owned()));
    }
    if present(&body.token) {
        let token = c.required("token", body.token.as_deref())?;
        return Some(Proof::Token(Purpose::ResetLink, token.trim().to_owned()));
    }
    if present(&body.email) || present(&body.code) {
        let email = c.email("email", body.email.as_deref());
        let code = c.code("code", body.code.as_deref());
        return email.zip(code).map(|(e, k)| Proof::Code(e, k));
    }
    c.add(
        "reset_token",
        "Send reset_token, or token from the emailed link, or email and code.",
    );
    None
}
