//! LIT (`LIT_Test_Backend`, djoser), under `/api/v1/auth/`: sign-up with an emailed code,
//! activation, "send me a code", tokens (by email + code as its README says, or by email +
//! password as its Postman collection sends), and the caller's own account at `user/me/`.
//!
//! Departures from the seed, on purpose: codes live in the database (hashed, single use, limited
//! attempts), so any node can check them; a login code is used up by `jwt/create/`; only an
//! active account gets tokens; `user/otp/` needs only the email and answers the same for any
//! address — an account still awaiting activation gets a new activation code (the seed left
//! such accounts stuck), an active one a login code.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use gatehouse_domain::{Email, OtpCode, PlainPassword, ProfilePatch, User, Username};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::accounts;
use crate::app::AppState;
use crate::auth::Device;
use crate::http::activation::{EmailBody, email_only};
use crate::http::auth::{
    CANONICAL_NAMES, MAX_NAME, RefreshBody, SignUp, VerifyBody, refresh, sign_up, verify,
};
use crate::http::dto::{MAYBE_SENT, TokensOut};
use crate::http::error::ApiError;
use crate::http::extract::{AuthUser, Json};
use crate::http::openapi::schemas::{Detail, Empty, ErrorBody, LitActivated, OrChallenge};
use crate::http::users::{self, DeleteBody};
use crate::http::validate::Checks;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create))
        .routes(routes!(activate))
        .routes(routes!(send_code))
        .routes(routes!(create_tokens))
        .routes(routes!(jwt_refresh))
        .routes(routes!(jwt_verify))
        .routes(routes!(me, update, remove))
}

/// djoser's user.
#[derive(Debug, Serialize, ToSchema)]
pub struct LitUser {
    id: i64,
    username: String,
    first_name: String,
    last_name: String,
    email: String,
}

impl From<User> for LitUser {
    fn from(u: User) -> Self {
        Self {
            id: u.id.0,
            username: u.username,
            first_name: u.first_name,
            last_name: u.last_name,
            email: u.email,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(as = LitCreateBody)]
pub struct CreateBody {
    #[schema(value_type = String, required = true)]
    username: Option<String>,
    #[schema(value_type = String, required = true, format = Email)]
    email: Option<String>,
    #[schema(value_type = String, required = true)]
    password: Option<String>,
    re_password: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
}

#[utoipa::path(
    post,
    path = "/api/v1/auth/user/",
    tag = "seed: LIT",
    request_body = CreateBody,
    responses(
        (status = 201, description = "The new account, inactive until activated with the emailed code.", body = LitUser),
    )
)]
async fn create(
    State(state): State<AppState>,
    Json(body): Json<CreateBody>,
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
        ..SignUp::default()
    };
    let input = sign_up(&state, c, &raw, &CANONICAL_NAMES)?;
    let user = accounts::register::register(&state, input).await?;
    Ok((StatusCode::CREATED, axum::Json(LitUser::from(user))))
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(as = LitCodeBody)]
pub struct CodeBody {
    #[schema(value_type = String, required = true, format = Email)]
    email: Option<String>,
    otp_code: Option<String>,
    password: Option<String>,
}

fn email_and_code(c: &mut Checks, body: &CodeBody) -> Option<(Email, OtpCode)> {
    let email = c.email("email", body.email.as_deref());
    let code = c.code("otp_code", body.otp_code.as_deref());
    email.zip(code)
}

/// 200 `{email, otp_code}` (the seed's echo) once the account is active; 400 otherwise.
#[utoipa::path(
    post,
    path = "/api/v1/auth/user/activation/",
    tag = "seed: LIT",
    request_body = CodeBody,
    responses(
        (status = 200, description = "The account is active (the seed's echo).", body = LitActivated),
    )
)]
async fn activate(
    State(state): State<AppState>,
    device: Device,
    Json(body): Json<CodeBody>,
) -> Result<axum::Json<Value>, ApiError> {
    let mut c = Checks::new();
    let parsed = email_and_code(&mut c, &body);
    c.finish()?;
    let (email, code) =
        parsed.ok_or_else(|| ApiError::Internal(anyhow::anyhow!("validated fields missing")))?;
    let user = accounts::activation::activate(&state, &email, &code, &device).await?;
    Ok(axum::Json(
        json!({"email": user.email, "otp_code": code.expose()}),
    ))
}

/// A new activation or login code (the older one stops working); the same answer for any
/// address. A `password` field, which the seed wanted, is not needed and not read.
#[utoipa::path(
    post,
    path = "/api/v1/auth/user/otp/",
    tag = "seed: LIT",
    request_body = EmailBody,
    responses((status = 200, description = "The same answer for any address.", body = Detail))
)]
async fn send_code(
    State(state): State<AppState>,
    Json(body): Json<EmailBody>,
) -> Result<axum::Json<Value>, ApiError> {
    let email = email_only(&body)?;
    accounts::login::request_any_code(&state, &email).await?;
    Ok(axum::Json(json!({"detail": MAYBE_SENT})))
}

/// `{email, otp_code}` (a login code from `user/otp/`) or `{email, password}` (djoser).
#[utoipa::path(
    post,
    path = "/api/v1/auth/jwt/create/",
    tag = "seed: LIT",
    request_body = CodeBody,
    responses(
        (status = 200, description = "A token pair and the user.", body = OrChallenge<TokensOut>),
        (status = 401, description = "Bad credentials: `invalid_credentials`.", body = ErrorBody),
    )
)]
async fn create_tokens(
    State(state): State<AppState>,
    device: Device,
    Json(body): Json<CodeBody>,
) -> Result<TokensOut, ApiError> {
    let mut c = Checks::new();
    let (pair, user) = if body.otp_code.is_some() {
        let parsed = email_and_code(&mut c, &body);
        c.finish()?;
        let (email, code) = parsed
            .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("validated fields missing")))?;
        accounts::login::code_login(&state, &email, &code, device).await?
    } else {
        let email = c.required("email", body.email.as_deref()).map(str::trim);
        let password = c.required("password", body.password.as_deref());
        c.finish()?;
        let (Some(email), Some(password)) = (email, password) else {
            return Err(ApiError::invalid_credentials());
        };
        let password =
            PlainPassword::new(password.to_owned()).map_err(|_| ApiError::invalid_credentials())?;
        accounts::login::password_login(&state, email, &password, device).await?
    };
    Ok(TokensOut::new(pair, Some(user)))
}

#[utoipa::path(
    get,
    path = "/api/v1/auth/user/me/",
    tag = "seed: LIT",
    responses(
        (status = 200, description = "The caller's account in djoser's shape.", body = LitUser),
    ),
    security(("bearer" = []))
)]
async fn me(caller: AuthUser) -> axum::Json<LitUser> {
    axum::Json(caller.user.into())
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(as = LitPatchBody)]
pub struct PatchBody {
    username: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
    email: Option<Value>,
    password: Option<Value>,
}

/// djoser's PATCH: username and names. The email and password have their own guarded paths.
#[utoipa::path(
    patch,
    path = "/api/v1/auth/user/me/",
    tag = "seed: LIT",
    request_body = PatchBody,
    responses((status = 200, description = "The updated account.", body = LitUser)),
    security(("bearer" = []))
)]
async fn update(
    State(state): State<AppState>,
    caller: AuthUser,
    Json(body): Json<PatchBody>,
) -> Result<axum::Json<LitUser>, ApiError> {
    let mut c = Checks::new();
    if body.email.is_some() {
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
    let patch = ProfilePatch {
        username: c.parse("username", body.username.as_deref(), Username::parse),
        first_name: c.text("first_name", body.first_name.as_deref(), MAX_NAME),
        last_name: c.text("last_name", body.last_name.as_deref(), MAX_NAME),
        ..ProfilePatch::default()
    };
    c.finish()?;
    let user = accounts::profile::update(&state, caller.user, &patch).await?;
    Ok(axum::Json(user.into()))
}

/// The canonical `DELETE users/me/`, at djoser's path.
#[utoipa::path(
    delete,
    path = "/api/v1/auth/user/me/",
    tag = "seed: LIT",
    request_body = DeleteBody,
    responses((status = 204, description = "The account is deleted.")),
    security(("bearer" = []))
)]
async fn remove(
    state: State<AppState>,
    caller: AuthUser,
    device: Device,
    body: Json<DeleteBody>,
) -> Result<StatusCode, ApiError> {
    users::remove(state, caller, device, body).await
}

/// djoser's `jwt/refresh/`: the canonical, rotating refresh.
#[utoipa::path(
    post,
    path = "/api/v1/auth/jwt/refresh/",
    tag = "seed: LIT",
    request_body = RefreshBody,
    responses(
        (status = 200, description = "The rotated pair.", body = TokensOut),
        (status = 401, description = "An invalid, expired, ended or reused refresh token, or an inactive user.", body = ErrorBody),
    )
)]
async fn jwt_refresh(
    state: State<AppState>,
    device: Device,
    body: Json<RefreshBody>,
) -> Result<TokensOut, ApiError> {
    refresh(state, device, body).await
}

/// djoser's `jwt/verify/`: `{}` for a valid access token.
#[utoipa::path(
    post,
    path = "/api/v1/auth/jwt/verify/",
    tag = "seed: LIT",
    request_body = VerifyBody,
    responses(
        (status = 200, description = "The token is valid.", body = Empty),
        (status = 401, description = "The token is not valid: `token_not_valid`.", body = ErrorBody),
    )
)]
async fn jwt_verify(
    state: State<AppState>,
    body: Json<VerifyBody>,
) -> Result<impl IntoResponse, ApiError> {
    verify(state, body).await
}
