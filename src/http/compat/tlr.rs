//! TLR (`tailor_api`), under `/auth/api/`: sign-up with an emailed code, login, refresh, logout,
//! change-password, and the code-based password reset (request, `validate_token/`, `confirm/`).
//!
//! Departures from the seed, on purpose: a code is never taken alone — `verify-otp/<otp>/`,
//! `validate_token/` and `confirm/` also need the `email` it was sent to (a bare 6-digit code
//! is a guessable space shared by every account); resend and reset answer the same for any
//! address; logout only ends the caller's own sessions; codes are 6 digits.

use axum::Router;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use gatehouse_domain::{Email, OtpCode};
use serde::Deserialize;
use serde_json::{Value, json};

use super::shapes::with_tokens;
use crate::accounts::{self, reset::Proof};
use crate::app::AppState;
use crate::auth::Device;
use crate::http::activation::{EmailBody, email_only};
use crate::http::auth::{CANONICAL_NAMES, SignUp, login_with_password, refresh, sign_up};
use crate::http::dto::TokensOut;
use crate::http::error::ApiError;
use crate::http::extract::{AuthUser, Json};
use crate::http::password::{ChangeFields, change_password};
use crate::http::validate::Checks;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/auth/api/register/", post(register))
        .route(
            "/auth/api/register/verify-otp/{otp}/",
            get(verify_otp).post(verify_otp),
        )
        .route(
            "/auth/api/register/resend-otp/",
            put(resend).patch(resend).post(resend),
        )
        .route("/auth/api/login/", post(login))
        .route("/auth/api/login/token/refresh/", post(refresh))
        .route("/auth/api/logout/", post(logout))
        .route(
            "/auth/api/change-password/",
            put(change).patch(change).post(change),
        )
        .route("/auth/api/password-reset/", post(reset_request))
        .route(
            "/auth/api/password-reset/validate_token/",
            post(reset_validate),
        )
        .route("/auth/api/password-reset/confirm/", post(reset_confirm))
}

fn status(value: &str) -> axum::Json<Value> {
    axum::Json(json!({ "status": value }))
}

#[derive(Debug, Deserialize)]
pub struct RegisterBody {
    username: Option<String>,
    email: Option<String>,
    password: Option<String>,
}

/// `{"status": "success", "id": <public id>}`; the activation code is emailed.
async fn register(
    State(state): State<AppState>,
    Json(body): Json<RegisterBody>,
) -> Result<impl IntoResponse, ApiError> {
    let raw = SignUp {
        username: body.username.as_deref(),
        email: body.email.as_deref(),
        password: body.password.as_deref(),
        ..SignUp::default()
    };
    let input = sign_up(&state, Checks::new(), &raw, &CANONICAL_NAMES)?;
    let user = accounts::register::register(&state, input).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(json!({"status": "success", "id": user.public_id.0})),
    ))
}

#[derive(Debug, Default, Deserialize)]
pub struct EmailQuery {
    email: Option<String>,
}

/// The code from the path, with the `email` it was sent to (from the body or `?email=`).
async fn verify_otp(
    State(state): State<AppState>,
    device: Device,
    otp: Result<Path<String>, PathRejection>,
    query: Result<Query<EmailQuery>, QueryRejection>,
    Json(body): Json<EmailQuery>,
) -> Result<axum::Json<Value>, ApiError> {
    let Path(otp) = otp.map_err(|_| ApiError::NotFound)?;
    let Query(query) = query.map_err(|_| {
        ApiError::field(
            "email",
            "Send the email once, in the body or the query string.",
        )
    })?;
    let mut c = Checks::new();
    let email = c.required("email", body.email.as_deref().or(query.email.as_deref()));
    let email = c.parse("email", email, Email::parse);
    let code = c.parse("otp", Some(&otp), OtpCode::parse);
    c.finish()?;
    let (Some(email), Some(code)) = (email, code) else {
        return Err(ApiError::Internal(anyhow::anyhow!(
            "validated fields missing"
        )));
    };
    accounts::activation::activate(&state, &email, &code, &device).await?;
    Ok(axum::Json(
        json!({"status": "success", "message": "verification complete"}),
    ))
}

/// A new code if the account still awaits activation; the same answer for any address.
async fn resend(
    State(state): State<AppState>,
    Json(body): Json<EmailBody>,
) -> Result<axum::Json<Value>, ApiError> {
    let email = email_only(&body)?;
    accounts::activation::resend(&state, &email).await?;
    Ok(status("success"))
}

#[derive(Debug, Deserialize)]
pub struct LoginBody {
    email: Option<String>,
    username: Option<String>,
    password: Option<String>,
}

async fn login(
    State(state): State<AppState>,
    device: Device,
    Json(body): Json<LoginBody>,
) -> Result<TokensOut, ApiError> {
    let login = body.email.as_deref().or(body.username.as_deref());
    let (pair, user) =
        login_with_password(&state, ("email", login), body.password.as_deref(), device).await?;
    Ok(TokensOut::new(pair, Some(user)))
}

#[derive(Debug, Deserialize)]
pub struct LogoutBody {
    refresh_token: Option<String>,
    refresh: Option<String>,
}

/// 205, no body: the caller's session ends, and the one `refresh_token` names if it is theirs.
async fn logout(
    State(state): State<AppState>,
    caller: AuthUser,
    device: Device,
    Json(body): Json<LogoutBody>,
) -> Result<StatusCode, ApiError> {
    let other = body.refresh_token.as_deref().or(body.refresh.as_deref());
    accounts::tokens::logout(&state, &caller.user, caller.session, other, &device).await?;
    Ok(StatusCode::RESET_CONTENT)
}

#[derive(Debug, Deserialize)]
pub struct ChangeBody {
    old_password: Option<String>,
    new_password1: Option<String>,
    new_password2: Option<String>,
}

/// Ends every other session (as the README promises) and hands this one its next token pair.
async fn change(
    State(state): State<AppState>,
    caller: AuthUser,
    device: Device,
    Json(body): Json<ChangeBody>,
) -> Result<Response, ApiError> {
    let mut c = Checks::new();
    if body.old_password.is_some() && body.old_password == body.new_password1 {
        c.add(
            "new_password1",
            "New password cannot have same value as old password.",
        );
    }
    let fields = ChangeFields {
        old: ("old_password", body.old_password.as_deref()),
        new: ("new_password1", body.new_password1.as_deref()),
        again: ("new_password2", body.new_password2.as_deref()),
    };
    let pair = change_password(&state, &caller, fields, c, &device).await?;
    Ok(with_tokens(
        &pair,
        json!({"status": "success", "message": "Your password has been changed."}),
    ))
}

/// Emails a reset code if the address belongs to an active account; `{"status": "OK"}` always.
async fn reset_request(
    State(state): State<AppState>,
    device: Device,
    Json(body): Json<EmailBody>,
) -> Result<axum::Json<Value>, ApiError> {
    let email = email_only(&body)?;
    accounts::reset::request(&state, &email, &device).await?;
    Ok(status("OK"))
}

#[derive(Debug, Deserialize)]
pub struct CodeBody {
    email: Option<String>,
    token: Option<String>,
    password: Option<String>,
}

/// The emailed code (`token`, the seed's name) and the address it went to.
fn email_and_token(c: &mut Checks, body: &CodeBody) -> Option<(Email, OtpCode)> {
    let email = c.required("email", body.email.as_deref());
    let email = c.parse("email", email, Email::parse);
    let code = c.required("token", body.token.as_deref());
    let code = c.parse("token", code, OtpCode::parse);
    email.zip(code)
}

async fn reset_validate(
    State(state): State<AppState>,
    Json(body): Json<CodeBody>,
) -> Result<axum::Json<Value>, ApiError> {
    let mut c = Checks::new();
    let parsed = email_and_token(&mut c, &body);
    c.finish()?;
    let (email, code) =
        parsed.ok_or_else(|| ApiError::Internal(anyhow::anyhow!("validated fields missing")))?;
    accounts::reset::check_code(&state, &email, &code).await?;
    Ok(status("OK"))
}

async fn reset_confirm(
    State(state): State<AppState>,
    device: Device,
    Json(body): Json<CodeBody>,
) -> Result<axum::Json<Value>, ApiError> {
    let mut c = Checks::new();
    let parsed = email_and_token(&mut c, &body);
    let password = c.required("password", body.password.as_deref());
    c.finish()?;
    let (Some((email, code)), Some(password)) = (parsed, password) else {
        return Err(ApiError::Internal(anyhow::anyhow!(
            "validated fields missing"
        )));
    };
    accounts::reset::confirm(
        &state,
        Proof::Code(email, code),
        ("password", password),
        &device,
    )
    .await?;
    Ok(status("OK"))
}
