//! `/api/v1/auth/`: register, password login, refresh, verify, logout. Each handler parses the
//! canonical wire shape, calls its use case in `accounts`, and renders the answer.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use gatehouse_domain::PlainPassword;
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::dto::{TokensOut, UserOut};
use super::error::ApiError;
use super::extract::{AuthUser, Json};
use super::validate::Checks;
use crate::accounts;
use crate::accounts::tokens::Rotation;
use crate::app::AppState;
use crate::auth::Device;
use crate::http::openapi::schemas::{Empty, ErrorBody, OrChallenge};

mod sign_up;

pub use sign_up::{
    CANONICAL_NAMES, MAX_GENDER, MAX_NAME, MAX_PHONE, SignUp, SignUpNames, parse_date, sign_up,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(register))
        .routes(routes!(token))
        .routes(routes!(refresh))
        .routes(routes!(verify))
        .routes(routes!(logout))
        .routes(routes!(logout_all))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct RegisterBody {
    #[schema(value_type = String, required = true)]
    username: Option<String>,
    #[schema(value_type = String, required = true, format = Email)]
    email: Option<String>,
    #[schema(value_type = String, required = true)]
    password: Option<String>,
    re_password: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
    phone_number: Option<String>,
    date_of_birth: Option<String>,
    gender: Option<String>,
    role: Option<String>,
}

#[utoipa::path(
    post,
    path = "/register/",
    tag = "auth",
    request_body = RegisterBody,
    responses(
        (status = 201, description = "The new account, inactive until the emailed code verifies it.", body = UserOut),
    )
)]
async fn register(
    State(state): State<AppState>,
    Json(body): Json<RegisterBody>,
) -> Result<impl IntoResponse, ApiError> {
    let mut c = Checks::new();
    let given = body.password.as_deref().filter(|p| !p.trim().is_empty());
    c.confirmation("re_password", given, body.re_password.as_deref());
    let raw = SignUp {
        username: body.username.as_deref(),
        email: body.email.as_deref(),
        password: body.password.as_deref(),
        first_name: body.first_name.as_deref(),
        last_name: body.last_name.as_deref(),
        phone_number: body.phone_number.as_deref(),
        date_of_birth: body.date_of_birth.as_deref(),
        gender: body.gender.as_deref(),
        role: body.role.as_deref(),
    };
    let input = sign_up(&state, c, &raw, &CANONICAL_NAMES)?;
    let user = accounts::register::register(&state, input).await?;
    Ok((StatusCode::CREATED, axum::Json(UserOut::from(user))))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct LoginBody {
    login: Option<String>,
    username: Option<String>,
    email: Option<String>,
    #[schema(value_type = String, required = true)]
    password: Option<String>,
}

#[utoipa::path(
    post,
    path = "/token/",
    tag = "auth",
    request_body = LoginBody,
    responses(
        (status = 200, description = "A token pair and the user (`Cache-Control: no-store`).", body = OrChallenge<TokensOut>),
        (status = 401, description = "Bad credentials, the same for an unknown user: `invalid_credentials`.", body = ErrorBody),
    )
)]
async fn token(
    State(state): State<AppState>,
    device: Device,
    Json(body): Json<LoginBody>,
) -> Result<TokensOut, ApiError> {
    let login = body
        .login
        .as_deref()
        .or(body.username.as_deref())
        .or(body.email.as_deref());
    let (pair, user) = login_with_password(
        &state,
        ("username", login),
        body.password.as_deref(),
        device,
    )
    .await?;
    Ok(TokensOut::new(pair, Some(user)))
}

/// Parses a login (`field` names the login in the caller's wire shape) and a password, then
/// logs in. A password no account could have is a failed login, not a field error.
pub async fn login_with_password(
    state: &AppState,
    login: (&str, Option<&str>),
    password: Option<&str>,
    device: Device,
) -> Result<(crate::auth::TokenPair, gatehouse_domain::User), ApiError> {
    let mut c = Checks::new();
    let login = c.required(login.0, login.1).map(str::trim);
    let password = c.required("password", password);
    c.finish()?;
    let (Some(login), Some(password)) = (login, password) else {
        return Err(ApiError::invalid_credentials());
    };
    let password =
        PlainPassword::new(password.to_owned()).map_err(|_| ApiError::invalid_credentials())?;
    accounts::login::password_login(state, login, &password, device).await
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct RefreshBody {
    #[schema(value_type = String, required = true)]
    refresh: Option<String>,
}

/// Rotates `{refresh}`: the new pair, without the user. TLR's and LIT's refresh paths answer
/// here too (their `{access, refresh}`, rotated as theirs were).
#[utoipa::path(
    post,
    path = "/token/refresh/",
    tag = "auth",
    request_body = RefreshBody,
    responses(
        (status = 200, description = "The rotated pair, without the user.", body = TokensOut),
        (status = 401, description = "An invalid, expired, ended or reused refresh token, or an inactive user.", body = ErrorBody),
    )
)]
pub async fn refresh(
    State(state): State<AppState>,
    device: Device,
    Json(body): Json<RefreshBody>,
) -> Result<TokensOut, ApiError> {
    refresh_as(&state, &device, &body, Rotation::Rotate).await
}

/// SIN's, DRA's and TMA's refresh: their simplejwt did not rotate, and their clients keep the
/// first refresh token, so this answers a new `access` and the same `refresh`.
pub async fn refresh_access(
    State(state): State<AppState>,
    device: Device,
    Json(body): Json<RefreshBody>,
) -> Result<TokensOut, ApiError> {
    refresh_as(&state, &device, &body, Rotation::Keep).await
}

async fn refresh_as(
    state: &AppState,
    device: &Device,
    body: &RefreshBody,
    rotation: Rotation,
) -> Result<TokensOut, ApiError> {
    let mut c = Checks::new();
    let token = c.required("refresh", body.refresh.as_deref());
    c.finish()?;
    let token = token.unwrap_or_default();
    let (pair, _) = accounts::tokens::refresh(state, token, rotation, device).await?;
    Ok(TokensOut::new(pair, None))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct VerifyBody {
    #[schema(value_type = String, required = true)]
    token: Option<String>,
}

/// Answers `{}` for a valid, unrevoked access token (djoser's and simplejwt's shape).
#[utoipa::path(
    post,
    path = "/token/verify/",
    tag = "auth",
    request_body = VerifyBody,
    responses(
        (status = 200, description = "The access token is valid and not revoked.", body = Empty),
        (status = 401, description = "The token is not valid: `token_not_valid`.", body = ErrorBody),
    )
)]
pub async fn verify(
    State(state): State<AppState>,
    Json(body): Json<VerifyBody>,
) -> Result<impl IntoResponse, ApiError> {
    let mut c = Checks::new();
    let token = c.required("token", body.token.as_deref());
    c.finish()?;
    accounts::tokens::verify(&state, token.unwrap_or_default()).await?;
    Ok(axum::Json(json!({})))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct LogoutBody {
    refresh: Option<String>,
}

/// Ends the caller's session; a refresh token in the body, if it is the caller's, ends its
/// session too (a client holding tokens of two logins).
#[utoipa::path(
    post,
    path = "/logout/",
    tag = "auth",
    request_body = LogoutBody,
    responses(
        (status = 204, description = "The caller's session (and the refresh token's, if it is the caller's) ended."),
    ),
    security(("bearer" = []))
)]
pub async fn logout(
    State(state): State<AppState>,
    caller: AuthUser,
    device: Device,
    Json(body): Json<LogoutBody>,
) -> Result<StatusCode, ApiError> {
    accounts::tokens::logout(
        &state,
        &caller.user,
        caller.session,
        body.refresh.as_deref(),
        &device,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    post,
    path = "/logout/all/",
    tag = "auth",
    responses((status = 204, description = "Every session of the caller ended.")),
    security(("bearer" = []))
)]
async fn logout_all(
    State(state): State<AppState>,
    caller: AuthUser,
    device: Device,
) -> Result<StatusCode, ApiError> {
    accounts::tokens::logout_all(&state, &caller.user, &device).await?;
    Ok(StatusCode::NO_CONTENT)
}
