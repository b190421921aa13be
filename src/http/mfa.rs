//! `/api/v1/auth/`: the TOTP second factor — enrol (`mfa/totp/`), confirm, disable — and the
//! second step of a login (`token/mfa/`). Every answer carrying a secret is `no-store`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use gatehouse_domain::OtpCode;
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::dto::{TokensOut, no_store};
use super::error::ApiError;
use super::extract::{AuthUser, Json};
use super::validate::Checks;
use crate::accounts;
use crate::app::AppState;
use crate::auth::Device;
use crate::auth::mfa::Answer;
use crate::http::openapi::schemas::{ErrorBody, RecoveryCodes, TotpEnrolment};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(enrol))
        .routes(routes!(confirm))
        .routes(routes!(disable))
        .routes(routes!(complete))
}

const SIX_DIGITS: &str = "Enter the 6-digit code from your authenticator app.";

/// A new secret to add to an authenticator app; TOTP is on only once a code confirms it.
#[utoipa::path(
    post,
    path = "/mfa/totp/",
    tag = "auth",
    responses(
        (status = 200, description = "The secret and its otpauth URL (`no-store`); not active until confirmed.", body = TotpEnrolment),
        (status = 409, description = "TOTP is already on.", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
async fn enrol(State(state): State<AppState>, caller: AuthUser) -> Result<Response, ApiError> {
    let (secret, otpauth_url) = accounts::mfa::enrol(&state, &caller.user).await?;
    Ok(no_store(axum::Json(
        json!({"secret": secret, "otpauth_url": otpauth_url}),
    )))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ConfirmBody {
    #[schema(value_type = String, required = true)]
    code: Option<String>,
}

/// Turns TOTP on with a code from the app; answers the recovery codes, shown this once.
#[utoipa::path(
    post,
    path = "/mfa/totp/confirm/",
    tag = "auth",
    request_body = ConfirmBody,
    responses(
        (status = 200, description = "TOTP is on; the recovery codes (`no-store`).", body = RecoveryCodes),
        (status = 409, description = "No enrolment to confirm.", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
async fn confirm(
    State(state): State<AppState>,
    caller: AuthUser,
    device: Device,
    Json(body): Json<ConfirmBody>,
) -> Result<Response, ApiError> {
    let mut c = Checks::new();
    let code = totp_code(&mut c, "code", body.code.as_deref());
    c.finish()?;
    let code = code.ok_or_else(|| ApiError::field("code", SIX_DIGITS))?;
    let recovery_codes = accounts::mfa::confirm(&state, &caller.user, &code, &device).await?;
    Ok(no_store(axum::Json(
        json!({"recovery_codes": recovery_codes}),
    )))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct DisableBody {
    #[schema(value_type = String, required = true)]
    password: Option<String>,
    code: Option<String>,
    recovery_code: Option<String>,
}

/// Needs the password and a TOTP code; `code` may also be a recovery code (a lost phone).
#[utoipa::path(
    post,
    path = "/mfa/totp/disable/",
    tag = "auth",
    request_body = DisableBody,
    responses(
        (status = 204, description = "TOTP is off; its recovery codes are gone."),
        (status = 409, description = "TOTP is not on.", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
async fn disable(
    State(state): State<AppState>,
    caller: AuthUser,
    device: Device,
    Json(body): Json<DisableBody>,
) -> Result<StatusCode, ApiError> {
    let mut c = Checks::new();
    let password = c.required("password", body.password.as_deref());
    let answer = answer(
        &mut c,
        body.code.as_deref(),
        body.recovery_code.as_deref(),
        true,
    );
    c.finish()?;
    let (Some(password), Some(answer)) = (password, answer) else {
        return Err(ApiError::field("code", "This field is required."));
    };
    accounts::mfa::disable(&state, &caller.user, password, &answer, &device).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CompleteBody {
    #[schema(value_type = String, required = true)]
    mfa_token: Option<String>,
    code: Option<String>,
    recovery_code: Option<String>,
}

/// `{mfa_token, code}` or `{mfa_token, recovery_code}` → the token pair `token/` would give.
#[utoipa::path(
    post,
    path = "/token/mfa/",
    tag = "auth",
    request_body = CompleteBody,
    responses(
        (status = 200, description = "A token pair and the user (`no-store`).", body = TokensOut),
        (status = 401, description = "A dead challenge (`invalid_mfa_token`) or a wrong code (`invalid_mfa_code`).", body = ErrorBody),
    )
)]
async fn complete(
    State(state): State<AppState>,
    device: Device,
    Json(body): Json<CompleteBody>,
) -> Result<TokensOut, ApiError> {
    let mut c = Checks::new();
    let token = c.required("mfa_token", body.mfa_token.as_deref());
    let answer = answer(
        &mut c,
        body.code.as_deref(),
        body.recovery_code.as_deref(),
        false,
    );
    c.finish()?;
    let (Some(token), Some(answer)) = (token, answer) else {
        return Err(ApiError::field("code", "This field is required."));
    };
    let (pair, user) = accounts::mfa::complete_login(&state, token.trim(), &answer, device).await?;
    Ok(TokensOut::new(pair, Some(user)))
}

/// A six-digit code in `field`, recording a field error otherwise.
fn totp_code(c: &mut Checks, field: &str, raw: Option<&str>) -> Option<OtpCode> {
    let raw = c.required(field, raw)?;
    OtpCode::parse(raw)
        .inspect_err(|_| c.add(field, SIX_DIGITS))
        .ok()
}

/// The second factor a body presents: `code` (six digits, or with `code_may_be_recovery` a
/// recovery code too) or `recovery_code`, exactly one of them.
fn answer(
    c: &mut Checks,
    code: Option<&str>,
    recovery_code: Option<&str>,
    code_may_be_recovery: bool,
) -> Option<Answer> {
    match (code, recovery_code) {
        (Some(_), Some(_)) => {
            c.add(
                "non_field_errors",
                "Send either code or recovery_code, not both.",
            );
            None
        }
        (None, Some(recovery)) => c
            .required("recovery_code", Some(recovery))
            .map(|r| Answer::Recovery(r.to_owned())),
        (Some(raw), None) if code_may_be_recovery && OtpCode::parse(raw).is_err() => c
            .required("code", Some(raw))
            .map(|r| Answer::Recovery(r.to_owned())),
        (code, None) => totp_code(c, "code", code).map(Answer::Totp),
    }
}
