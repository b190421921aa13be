//! `/api/v1/auth/otp/` and `token/otp/`: passwordless login with a 6-digit code sent by email.

use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::post;
use gatehouse_domain::{Purpose, Redemption};

use super::activation::{EmailBody, EmailCodeBody, email_and_code, email_only};
use super::dto::{TokensOut, accepted};
use super::error::ApiError;
use super::extract::Json;
use crate::app::AppState;
use crate::auth::Device;
use crate::auth::secrets::SecretError;

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
    if let Some(user) = state.secrets.user_by_email(&email).await?
        && user.is_active
        && state.secrets.send_code(&user, Purpose::Login).await?
    {
        state.jobs_wake.notify_one();
    }
    Ok(accepted())
}

async fn login(
    State(state): State<AppState>,
    device: Device,
    Json(body): Json<EmailCodeBody>,
) -> Result<TokensOut, ApiError> {
    let (email, code) = email_and_code(&body)?;
    let (user, secret) = state
        .secrets
        .check_code(&email, Purpose::Login, &code)
        .await?;
    if !user.is_active {
        return Err(SecretError::Invalid.into());
    }
    let mut user = state
        .secrets
        .redeem(&secret, Redemption::Consume)
        .await?
        .user;
    let pair = state.sessions.open(&user, device).await?;
    user.last_login = Some(state.clock.now());
    tracing::info!(user.id = %user.id, session.id = %pair.session, "login by emailed code");
    Ok(TokensOut::new(pair, Some(user)))
}
