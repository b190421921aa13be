//! `/api/v1/auth/`: register, password login, refresh, verify, logout.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Router, response::IntoResponse};
use chrono::NaiveDate;
use gatehouse_domain::{Email, NewUser, PlainPassword, PublicId, Username};
use serde::Deserialize;
use serde_json::json;

use super::dto::{TokensOut, UserOut};
use super::error::ApiError;
use super::extract::{AuthUser, Json};
use super::validate::Checks;
use crate::app::AppState;
use crate::auth::{Device, Verdict};
use crate::config::EmailVerification;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/register/", post(register))
        .route("/token/", post(token))
        .route("/token/refresh/", post(refresh))
        .route("/token/verify/", post(verify))
        .route("/logout/", post(logout))
        .route("/logout/all/", post(logout_all))
}

/// Longest first/last name, phone number and gender accepted.
pub const MAX_NAME: usize = 150;
pub const MAX_PHONE: usize = 32;
pub const MAX_GENDER: usize = 32;

#[derive(Debug, Deserialize)]
pub struct RegisterBody {
    username: Option<String>,
    email: Option<String>,
    password: Option<String>,
    re_password: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
    phone_number: Option<String>,
    date_of_birth: Option<String>,
    gender: Option<String>,
    role: Option<String>,
}

async fn register(
    State(state): State<AppState>,
    Json(body): Json<RegisterBody>,
) -> Result<impl IntoResponse, ApiError> {
    let mut c = Checks::new();
    let username = c.required("username", body.username.as_deref());
    let username = c.parse("username", username, Username::parse);
    let email = c.required("email", body.email.as_deref());
    let email = c.parse("email", email, Email::parse);
    let first_name = c
        .text("first_name", body.first_name.as_deref(), MAX_NAME)
        .unwrap_or_default();
    let last_name = c
        .text("last_name", body.last_name.as_deref(), MAX_NAME)
        .unwrap_or_default();
    let phone_number = c
        .text("phone_number", body.phone_number.as_deref(), MAX_PHONE)
        .unwrap_or_default();
    let gender = c
        .text("gender", body.gender.as_deref(), MAX_GENDER)
        .unwrap_or_default();
    let date_of_birth = parse_date(&mut c, "date_of_birth", body.date_of_birth.as_deref());
    let role = match body.role.as_deref() {
        Some(raw) => c.parse("role", Some(raw), |r| state.roles.parse_self_assignable(r)),
        None => Some(state.roles.default_signup()),
    };
    let password = c
        .required("password", body.password.as_deref())
        .map(str::to_owned);
    if let (Some(password), Some(again)) = (&password, &body.re_password)
        && password != again
    {
        c.add("re_password", "The two password fields didn't match.");
    }
    let identifiers = [
        body.username.as_deref(),
        body.email.as_deref(),
        Some(first_name.as_str()),
        Some(last_name.as_str()),
    ];
    let identifiers: Vec<&str> = identifiers.into_iter().flatten().collect();
    let password = password.and_then(|p| match state.policy.check(p, &identifiers) {
        Ok(p) => Some(p),
        Err(e) => {
            for problem in e.0 {
                c.add("password", problem);
            }
            None
        }
    });
    c.finish()?;
    let (Some(username), Some(email), Some(role), Some(password)) =
        (username, email, role, password)
    else {
        return Err(ApiError::Internal(anyhow::anyhow!(
            "validated register fields missing"
        )));
    };
    let password_hash = state.passwords.hash(&password).await?;
    let verify = state.config.email_verification == EmailVerification::Required;
    let new_user = NewUser {
        public_id: PublicId::random(),
        username,
        email,
        password_hash,
        first_name,
        last_name,
        phone_number,
        date_of_birth: date_of_birth.flatten(),
        gender,
        role,
        is_active: !verify,
        is_email_verified: false,
        is_staff: false,
        is_superuser: false,
        date_joined: state.clock.now(),
    };
    // With verification on, the account and its activation email are created together.
    let user = if verify {
        let user = state.secrets.register(new_user).await?;
        state.jobs_wake.notify_one();
        user
    } else {
        state.store.create_user(new_user).await?
    };
    tracing::info!(user.id = %user.id, "user registered");
    Ok((StatusCode::CREATED, axum::Json(UserOut::from(user))))
}

/// `Some(None)` for an explicit empty value or null, `None` when absent or invalid.
pub fn parse_date(c: &mut Checks, field: &str, raw: Option<&str>) -> Option<Option<NaiveDate>> {
    let raw = raw?.trim();
    if raw.is_empty() {
        return Some(None);
    }
    match NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
        Ok(date) => Some(Some(date)),
        Err(_) => {
            c.add(
                field,
                "Date has wrong format. Use one of these formats instead: YYYY-MM-DD.",
            );
            None
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct LoginBody {
    login: Option<String>,
    username: Option<String>,
    email: Option<String>,
    password: Option<String>,
}

async fn token(
    State(state): State<AppState>,
    device: Device,
    Json(body): Json<LoginBody>,
) -> Result<TokensOut, ApiError> {
    let mut c = Checks::new();
    let login = body
        .login
        .as_deref()
        .or(body.username.as_deref())
        .or(body.email.as_deref());
    let login = c.required("username", login).map(str::trim);
    let password = c.required("password", body.password.as_deref());
    c.finish()?;
    let (Some(login), Some(password)) = (login, password) else {
        return Err(ApiError::invalid_credentials());
    };
    let password =
        PlainPassword::new(password.to_owned()).map_err(|_| ApiError::invalid_credentials())?;
    // Too long to be a username or email: still spend one hash, so timing tells nothing.
    let credentials = if login.chars().count() > gatehouse_domain::email::MAX_LEN {
        None
    } else {
        state.store.credentials_by_login(login).await?
    };
    let verdict = state
        .passwords
        .verify(
            &password,
            credentials.as_ref().map(|c| c.password_hash.as_str()),
        )
        .await?;
    let Some(credentials) = credentials.filter(|c| verdict != Verdict::Invalid && c.user.is_active)
    else {
        tracing::info!("login failed");
        return Err(ApiError::invalid_credentials());
    };
    let mut user = credentials.user;
    if verdict == Verdict::ValidNeedsRehash {
        upgrade_hash(&state, &user, &password).await;
    }
    let pair = state.sessions.open(&user, device).await?;
    user.last_login = Some(state.sessions.now());
    tracing::info!(user.id = %user.id, session.id = %pair.session, "login");
    Ok(TokensOut::new(pair, Some(user)))
}

/// Stores a current Argon2id hash for a password that verified against an old one. A failure
/// only costs the upgrade, never the login.
async fn upgrade_hash(state: &AppState, user: &gatehouse_domain::User, password: &PlainPassword) {
    match state.passwords.hash(password).await {
        Ok(hash) => match state.store.set_password_hash(user.id, &hash).await {
            Ok(()) => tracing::info!(user.id = %user.id, "password hash upgraded to argon2id"),
            Err(e) => {
                tracing::warn!(user.id = %user.id, error = %e, "storing the upgraded hash failed");
            }
        },
        Err(_) => tracing::info!(user.id = %user.id, "hash upgrade skipped: hashing is saturated"),
    }
}

#[derive(Debug, Deserialize)]
pub struct RefreshBody {
    refresh: Option<String>,
}

async fn refresh(
    State(state): State<AppState>,
    Json(body): Json<RefreshBody>,
) -> Result<TokensOut, ApiError> {
    let mut c = Checks::new();
    let token = c.required("refresh", body.refresh.as_deref());
    c.finish()?;
    let (pair, _) = state.sessions.refresh(token.unwrap_or_default()).await?;
    Ok(TokensOut::new(pair, None))
}

#[derive(Debug, Deserialize)]
pub struct VerifyBody {
    token: Option<String>,
}

async fn verify(
    State(state): State<AppState>,
    Json(body): Json<VerifyBody>,
) -> Result<impl IntoResponse, ApiError> {
    let mut c = Checks::new();
    let token = c.required("token", body.token.as_deref());
    c.finish()?;
    state
        .sessions
        .access()
        .verify(token.unwrap_or_default(), state.sessions.now())
        .await?;
    Ok(axum::Json(json!({})))
}

#[derive(Debug, Deserialize)]
pub struct LogoutBody {
    refresh: Option<String>,
}

/// Ends the caller's session; a refresh token in the body, if it is the caller's, ends its
/// session too (a client holding tokens of two logins).
async fn logout(
    State(state): State<AppState>,
    caller: AuthUser,
    Json(body): Json<LogoutBody>,
) -> Result<StatusCode, ApiError> {
    let now = state.sessions.now();
    let mut ended = Vec::new();
    if state
        .store
        .revoke_session(caller.session, caller.user.id, now)
        .await?
    {
        ended.push(caller.session);
    }
    if let Some(other) = body
        .refresh
        .as_deref()
        .and_then(|t| state.sessions.session_of(t))
        && other != caller.session
        && state
            .store
            .revoke_session(other, caller.user.id, now)
            .await?
    {
        ended.push(other);
    }
    state.sessions.announce_revoked(&ended).await;
    tracing::info!(user.id = %caller.user.id, session.id = %caller.session, "logout");
    Ok(StatusCode::NO_CONTENT)
}

async fn logout_all(
    State(state): State<AppState>,
    caller: AuthUser,
) -> Result<StatusCode, ApiError> {
    let ended = state
        .store
        .revoke_user_sessions(caller.user.id, None, state.sessions.now())
        .await?;
    state.sessions.announce_revoked(&ended).await;
    tracing::info!(user.id = %caller.user.id, sessions = ended.len(), "logout everywhere");
    Ok(StatusCode::NO_CONTENT)
}
