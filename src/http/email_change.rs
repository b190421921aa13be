//! `/api/v1/users/me/email/` and `…/email/confirm/`: changing the address of an account.
//! The new address must prove itself with a code sent to it; the old address is told afterwards.
//! Asking needs the current password, so a stolen access token alone cannot move the account to
//! an attacker's address (and from there reset its password).

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use gatehouse_domain::{Email, OtpCode, Purpose, Redemption};
use serde::Deserialize;
use serde_json::json;

use super::dto::UserOut;
use super::error::ApiError;
use super::extract::{AuthUser, Json};
use super::password::confirm_current;
use super::validate::Checks;
use crate::app::AppState;
use crate::jobs::Job;
use crate::mail::{MailKind, Outgoing};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/me/email/", post(request))
        .route("/me/email/confirm/", post(confirm))
}

#[derive(Debug, Deserialize)]
pub struct RequestBody {
    email: Option<String>,
    password: Option<String>,
}

async fn request(
    State(state): State<AppState>,
    caller: AuthUser,
    Json(body): Json<RequestBody>,
) -> Result<(StatusCode, axum::Json<serde_json::Value>), ApiError> {
    let mut c = Checks::new();
    let email = c.required("email", body.email.as_deref());
    let email = c.parse("email", email, Email::parse);
    let password = c.required("password", body.password.as_deref());
    if let Some(new) = &email
        && new.as_ref().eq_ignore_ascii_case(&caller.user.email)
    {
        c.add("email", "This is already your email address.");
    }
    c.finish()?;
    let (Some(email), Some(password)) = (email, password) else {
        return Err(ApiError::Internal(anyhow::anyhow!(
            "validated fields missing"
        )));
    };
    confirm_current(&state, caller.user.id, password, "password").await?;
    if state.secrets.user_by_email(&email).await?.is_some() {
        return Err(ApiError::field(
            "email",
            "A user with that email already exists.",
        ));
    }
    // The caller is known, so a throttled request may say so (no account is revealed).
    if !state
        .secrets
        .send_email_change_code(&caller.user, &email)
        .await?
    {
        return Err(ApiError::Throttled {
            retry_after: state.config.code_cooldown.as_secs().max(1),
        });
    }
    state.jobs_wake.notify_one();
    Ok((
        StatusCode::ACCEPTED,
        axum::Json(
            json!({"detail": "We sent a code to the new address. Confirm it to finish the change."}),
        ),
    ))
}

#[derive(Debug, Deserialize)]
pub struct ConfirmBody {
    code: Option<String>,
}

async fn confirm(
    State(state): State<AppState>,
    caller: AuthUser,
    Json(body): Json<ConfirmBody>,
) -> Result<axum::Json<UserOut>, ApiError> {
    let mut c = Checks::new();
    let code = c.required("code", body.code.as_deref());
    let code = c.parse("code", code, OtpCode::parse);
    c.finish()?;
    let code = code.ok_or_else(|| ApiError::Internal(anyhow::anyhow!("validated code missing")))?;
    let old = caller.user.clone();
    let now = state.clock.now();
    let (_, secret) = state
        .secrets
        .check_user_code(caller.user, Purpose::EmailChange, &code, now)
        .await?;
    let notice = Job::email(
        Outgoing::new(
            &old.email,
            &old.username,
            MailKind::EmailChanged {
                new_email: secret.target.clone(),
            },
        ),
        now,
    )?;
    let user = state
        .secrets
        .redeem(&secret, Redemption::ChangeEmail { notice })
        .await?
        .user;
    state.jobs_wake.notify_one();
    tracing::info!(user.id = %user.id, "email address changed");
    Ok(axum::Json(user.into()))
}
