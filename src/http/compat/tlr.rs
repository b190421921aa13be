//! TLR (`tailor_api`), under `/auth/api/`: sign-up with an emailed code, login, refresh, logout,
//! change-password, and the code-based password reset (request, `validate_token/`, `confirm/`).
//!
//! Departures from the seed, on purpose: a code is never taken alone — `verify-otp/<otp>/`,
//! `validate_token/` and `confirm/` also need the `email` it was sent to (a bare 6-digit code
//! is a guessable space shared by every account); resend and reset answer the same for any
//! address; logout only ends the caller's own sessions; codes are 6 digits.

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use gatehouse_domain::{Email, OtpCode};
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::shapes::with_tokens;
use crate::accounts::{self, reset::Proof};
use crate::app::AppState;
use crate::auth::Device;
use crate::http::activation::{EmailBody, email_only};
use crate::http::auth::{
    CANONICAL_NAMES, RefreshBody, SignUp, login_with_password, refresh, sign_up,
};
use crate::http::dto::TokensOut;
use crate::http::error::ApiError;
use crate::http::extract::{AuthUser, Json};
use crate::http::openapi::schemas::{
    ErrorBody, OrChallenge, Status, StatusMessage, TlrPasswordChanged, TlrRegistered,
};
use crate::http::password::{ChangeFields, change_password};
use crate::http::validate::Checks;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(register))
        .routes(routes!(verify_otp))
        .routes(routes!(resend))
        .routes(routes!(login))
        .routes(routes!(token_refresh))
        .routes(routes!(logout))
        .routes(routes!(change))
        .routes(routes!(reset_request))
        .routes(routes!(reset_validate))
        .routes(routes!(reset_confirm))
}

fn status(value: &str) -> axum::Json<Value> {
    axum::Json(json!({ "status": value }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(as = TlrRegisterBody)]
pub struct RegisterBody {
    #[schema(value_type = String, required = true)]
    username: Option<String>,
    #[schema(value_type = String, required = true, format = Email)]
    email: Option<String>,
    #[schema(value_type = String, required = true)]
    password: Option<String>,
}

/// `{"status": "success", "id": <public id>}`; the activation code is emailed.
#[utoipa::path(
    post,
    path = "/auth/api/register/",
    tag = "seed: TLR",
    request_body = RegisterBody,
    responses(
        (status = 201, description = "The new account's public id; the activation code is emailed.", body = TlrRegistered),
    )
)]
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

#[derive(Debug, Default, Deserialize, ToSchema)]
#[schema(as = TlrEmailBody)]
pub struct EmailQuery {
    email: Option<String>,
}

/// The code from the path, with the `email` it was sent to (from the body or `?email=`).
#[utoipa::path(
    method(get, post),
    path = "/auth/api/register/verify-otp/{otp}/",
    tag = "seed: TLR",
    params(
        ("otp" = String, Path, description = "The emailed code."),
        ("email" = Option<String>, Query, description = "The address the code went to (or in the body)."),
    ),
    request_body = EmailQuery,
    responses((status = 200, description = "The account is active.", body = StatusMessage))
)]
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
    let email = c.email("email", body.email.as_deref().or(query.email.as_deref()));
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
#[utoipa::path(
    method(put, patch, post),
    path = "/auth/api/register/resend-otp/",
    tag = "seed: TLR",
    request_body = EmailBody,
    responses((status = 200, description = "The same answer for any address.", body = Status))
)]
async fn resend(
    State(state): State<AppState>,
    Json(body): Json<EmailBody>,
) -> Result<axum::Json<Value>, ApiError> {
    let email = email_only(&body)?;
    accounts::activation::resend(&state, &email).await?;
    Ok(status("success"))
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(as = TlrLoginBody)]
pub struct LoginBody {
    email: Option<String>,
    username: Option<String>,
    #[schema(value_type = String, required = true)]
    password: Option<String>,
}

#[utoipa::path(
    post,
    path = "/auth/api/login/",
    tag = "seed: TLR",
    request_body = LoginBody,
    responses(
        (status = 200, description = "A token pair and the user.", body = OrChallenge<TokensOut>),
        (status = 401, description = "Bad credentials: `invalid_credentials`.", body = ErrorBody),
    )
)]
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

#[derive(Debug, Deserialize, ToSchema)]
#[schema(as = TlrLogoutBody)]
pub struct LogoutBody {
    refresh_token: Option<String>,
    refresh: Option<String>,
}

/// 205, no body: the caller's session ends, and the one `refresh_token` names if it is theirs.
#[utoipa::path(
    post,
    path = "/auth/api/logout/",
    tag = "seed: TLR",
    request_body = LogoutBody,
    responses((status = 205, description = "The caller's session ended.")),
    security(("bearer" = []))
)]
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

#[derive(Debug, Deserialize, ToSchema)]
#[schema(as = TlrChangeBody)]
pub struct ChangeBody {
    #[schema(value_type = String, required = true)]
    old_password: Option<String>,
    #[schema(value_type = String, required = true)]
    new_password1: Option<String>,
    #[schema(value_type = String, required = true)]
    new_password2: Option<String>,
}

/// Ends every other session (as the README promises) and hands this one its next token pair.
#[utoipa::path(
    method(put, patch, post),
    path = "/auth/api/change-password/",
    tag = "seed: TLR",
    request_body = ChangeBody,
    responses(
        (status = 200, description = "The password changed; the next pair for this session.", body = TlrPasswordChanged),
    ),
    security(("bearer" = []))
)]
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
#[utoipa::path(
    post,
    path = "/auth/api/password-reset/",
    tag = "seed: TLR",
    request_body = EmailBody,
    responses((status = 200, description = "The same answer for any address.", body = Status))
)]
async fn reset_request(
    State(state): State<AppState>,
    device: Device,
    Json(body): Json<EmailBody>,
) -> Result<axum::Json<Value>, ApiError> {
    let email = email_only(&body)?;
    accounts::reset::request(&state, &email, &device).await?;
    Ok(status("OK"))
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(as = TlrCodeBody)]
pub struct CodeBody {
    #[schema(value_type = String, required = true, format = Email)]
    email: Option<String>,
    #[schema(value_type = String, required = true)]
    token: Option<String>,
    password: Option<String>,
}

/// The emailed code (`token`, the seed's name) and the address it went to.
fn email_and_token(c: &mut Checks, body: &CodeBody) -> Option<(Email, OtpCode)> {
    let email = c.email("email", body.email.as_deref());
    let code = c.code("token", body.token.as_deref());
    email.zip(code)
}

#[utoipa::path(
    post,
    path = "/auth/api/password-reset/validate_token/",
    tag = "seed: TLR",
    request_body = CodeBody,
    responses((status = 200, description = "The code is right.", body = Status))
)]
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

#[utoipa::path(
    post,
    path = "/auth/api/password-reset/confirm/",
    tag = "seed: TLR",
    request_body = CodeBody,
    responses(
        (status = 200, description = "The password is reset and every session ended.", body = Status),
    )
)]
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

/// TLR's `login/token/refresh/`: the canonical, rotating refresh.
#[utoipa::path(
    post,
    path = "/auth/api/login/token/refresh/",
    tag = "seed: TLR",
    request_body = RefreshBody,
    responses(
        (status = 200, description = "The rotated pair.", body = TokensOut),
        (status = 401, description = "An invalid, expired, ended or reused refresh token, or an inactive user.", body = ErrorBody),
    )
)]
async fn token_refresh(
    state: State<AppState>,
    device: Device,
    body: Json<RefreshBody>,
) -> Result<TokensOut, ApiError> {
    refresh(state, device, body).await
}
