//! DRA (Django REST Authentication System): refresh, the three-step password reset, and the
//! caller's own account at `api/user/`. Its `api/register/` and `api/login/` are shared with
//! other seeds (`shapes`).
//!
//! The reset, made safe. `auth/email_request/` hands out its token before anyone proved the
//! mailbox, so that token alone must never allow a reset:
//! - the token is a random nonce and the address it was asked for (`<nonce>.<base64url email>`),
//!   the same shape for an unknown address (no enumeration) — it names, it proves nothing;
//! - `auth/check_otp/` checks the emailed code for that address (the canonical reset code:
//!   bound to the account, single use, short-lived, 5 attempts) and only then stores the nonce
//!   as a reset token of that account (keyed hash, short TTL, single use);
//! - `auth/reset_password/` accepts only such a stored reset token. A token whose code was never
//!   checked, or a token for an unknown address, can never succeed.

use axum::extract::State;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use gatehouse_domain::{Email, ProfilePatch, Purpose, Username};
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::shapes::{DRA_NAMES, DraUser, refuse_image};
use crate::accounts::{self, reset::Proof};
use crate::app::AppState;
use crate::auth::Device;
use crate::auth::codes::Codes;
use crate::auth::secrets::SecretError;
use crate::http::activation::{EmailBody, email_only};
use crate::http::auth::{MAX_GENDER, MAX_PHONE, RefreshBody, parse_date, refresh_access};
use crate::http::dto::{TokensOut, no_store};
use crate::http::error::ApiError;
use crate::http::extract::{AuthUser, Json};
use crate::http::openapi::schemas::{DraResetRequested, ErrorBody, Message};
use crate::http::validate::Checks;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(refresh))
        .routes(routes!(email_request))
        .routes(routes!(check_otp))
        .routes(routes!(reset_password))
        .routes(routes!(me, update))
}

/// `{token, message}` for any address; the code goes only to an existing active account.
#[utoipa::path(
    post,
    path = "/auth/email_request/",
    tag = "seed: DRA",
    request_body = EmailBody,
    responses(
        (status = 200, description = "A token naming the request, for any address; the code goes only to an active account.", body = DraResetRequested),
    )
)]
async fn email_request(
    State(state): State<AppState>,
    device: Device,
    Json(body): Json<EmailBody>,
) -> Result<axum::response::Response, ApiError> {
    let email = email_only(&body)?;
    accounts::reset::request(&state, &email, &device).await?;
    let token = format!(
        "{}.{}",
        Codes::new_token(),
        URL_SAFE_NO_PAD.encode(email.as_ref())
    );
    Ok(no_store(axum::Json(json!({
        "token": token,
        "message": "If an account with this address exists, a code was sent to it.",
    }))))
}

/// The nonce and the address a token from `email_request` names; any other string is a dead
/// token, answered like a wrong code.
fn parse_token(token: &str) -> Result<(&str, Email), ApiError> {
    let (nonce, email) = token.trim().split_once('.').ok_or(SecretError::Invalid)?;
    let email = URL_SAFE_NO_PAD
        .decode(email)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|e| Email::parse(&e).ok())
        .ok_or(SecretError::Invalid)?;
    // Only what `email_request` hands out: 32 random bytes, base64url.
    if nonce.len() != 43 || URL_SAFE_NO_PAD.decode(nonce).is_err() {
        return Err(SecretError::Invalid.into());
    }
    Ok((nonce, email))
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(as = DraCheckOtpBody)]
pub struct CheckBody {
    #[schema(value_type = String, required = true)]
    token: Option<String>,
    #[schema(value_type = String, required = true)]
    otp: Option<String>,
}

#[utoipa::path(
    post,
    path = "/auth/check_otp/",
    tag = "seed: DRA",
    request_body = CheckBody,
    responses(
        (status = 200, description = "The code is right; the token may now reset the password.", body = Message),
    )
)]
async fn check_otp(
    State(state): State<AppState>,
    device: Device,
    Json(body): Json<CheckBody>,
) -> Result<axum::Json<Value>, ApiError> {
    let mut c = Checks::new();
    let token = c.required("token", body.token.as_deref());
    let code = c.code("otp", body.otp.as_deref());
    c.finish()?;
    let (Some(token), Some(code)) = (token, code) else {
        return Err(ApiError::Internal(anyhow::anyhow!(
            "validated fields missing"
        )));
    };
    let (nonce, email) = parse_token(token)?;
    accounts::reset::verify_code(&state, &email, &code, Some(nonce), &device).await?;
    Ok(axum::Json(json!({"message": "OTP is valid."})))
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(as = DraResetBody)]
pub struct ResetBody {
    #[schema(value_type = String, required = true)]
    token: Option<String>,
    #[schema(value_type = String, required = true)]
    new_password: Option<String>,
}

#[utoipa::path(
    post,
    path = "/auth/reset_password/",
    tag = "seed: DRA",
    request_body = ResetBody,
    responses(
        (status = 200, description = "The password is reset and every session ended.", body = Message),
    )
)]
async fn reset_password(
    State(state): State<AppState>,
    device: Device,
    Json(body): Json<ResetBody>,
) -> Result<axum::Json<Value>, ApiError> {
    let mut c = Checks::new();
    let token = c.required("token", body.token.as_deref());
    let new = c.required("new_password", body.new_password.as_deref());
    c.finish()?;
    let (Some(token), Some(new)) = (token, new) else {
        return Err(ApiError::Internal(anyhow::anyhow!(
            "validated fields missing"
        )));
    };
    let (nonce, _) = parse_token(token)?;
    let proof = Proof::Token(Purpose::ResetToken, nonce.to_owned());
    accounts::reset::confirm(&state, proof, ("new_password", new), &device).await?;
    Ok(axum::Json(
        json!({"message": "The Password has been reset successfully."}),
    ))
}

#[utoipa::path(
    get,
    path = "/api/user/",
    tag = "seed: DRA",
    responses((status = 200, description = "The caller's account in DRA's shape.", body = DraUser)),
    security(("bearer" = []))
)]
async fn me(caller: AuthUser) -> axum::Json<DraUser> {
    axum::Json(caller.user.into())
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(as = DraPatchBody)]
pub struct PatchBody {
    email: Option<String>,
    username: Option<String>,
    #[serde(rename = "phoneNumber")]
    phone_number: Option<String>,
    image: Option<Value>,
    #[serde(rename = "dateBirth")]
    date_birth: Option<String>,
    gender: Option<String>,
    password: Option<Value>,
    is_activated: Option<Value>,
}

/// Profile fields only. The current email may be sent back unchanged (DRA's clients send the
/// whole user); a new one goes through the code-confirmed email change.
#[utoipa::path(
    method(patch, put),
    path = "/api/user/",
    tag = "seed: DRA",
    request_body = PatchBody,
    responses((status = 200, description = "The updated account.", body = DraUser)),
    security(("bearer" = []))
)]
async fn update(
    State(state): State<AppState>,
    caller: AuthUser,
    Json(body): Json<PatchBody>,
) -> Result<axum::Json<DraUser>, ApiError> {
    let mut c = Checks::new();
    if let Some(email) = body.email.as_deref()
        && !email.trim().eq_ignore_ascii_case(&caller.user.email)
    {
        c.add(
            "email",
            "Change the email address with /api/v1/users/me/email/ (a code confirms the new address).",
        );
    }
    if body.password.is_some() {
        c.add(
            "password",
            "Use /api/v1/auth/password/change/ to change your password.",
        );
    }
    if body.is_activated.is_some() {
        c.add("is_activated", "You cannot change this field.");
    }
    refuse_image(&mut c, body.image.as_ref());
    let patch = ProfilePatch {
        username: c.parse("username", body.username.as_deref(), Username::parse),
        phone_number: c.text(
            DRA_NAMES.phone_number,
            body.phone_number.as_deref(),
            MAX_PHONE,
        ),
        date_of_birth: parse_date(&mut c, DRA_NAMES.date_of_birth, body.date_birth.as_deref()),
        gender: c.text("gender", body.gender.as_deref(), MAX_GENDER),
        ..ProfilePatch::default()
    };
    c.finish()?;
    let user = accounts::profile::update(&state, caller.user, &patch).await?;
    Ok(axum::Json(user.into()))
}

/// DRA's `auth/refresh/`: a new access token, the same refresh token.
#[utoipa::path(
    post,
    path = "/auth/refresh/",
    tag = "seed: DRA",
    request_body = RefreshBody,
    responses(
        (status = 200, description = "A new access token; the same refresh token (this seed did not rotate).", body = TokensOut),
        (status = 401, description = "An invalid, expired, ended or reused refresh token, or an inactive user.", body = ErrorBody),
    )
)]
async fn refresh(
    state: State<AppState>,
    device: Device,
    body: Json<RefreshBody>,
) -> Result<TokensOut, ApiError> {
    refresh_access(state, device, body).await
}
