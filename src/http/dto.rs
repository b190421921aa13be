//! Response bodies shared by several resources.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, Utc};
use gatehouse_domain::User;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::TokenPair;

/// A user as the API shows them (to themself, and later to staff).
#[derive(Debug, Serialize, ToSchema)]
#[expect(
    clippy::struct_excessive_bools,
    reason = "Django's account flags, each independent"
)]
pub struct UserOut {
    pub id: i64,
    pub public_id: Uuid,
    pub username: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub phone_number: String,
    pub date_of_birth: Option<NaiveDate>,
    pub gender: String,
    pub role: String,
    pub is_active: bool,
    pub is_email_verified: bool,
    pub is_staff: bool,
    pub is_superuser: bool,
    pub date_joined: DateTime<Utc>,
    pub last_login: Option<DateTime<Utc>>,
}

impl From<User> for UserOut {
    fn from(u: User) -> Self {
        Self {
            id: u.id.0,
            public_id: u.public_id.0,
            username: u.username,
            email: u.email,
            first_name: u.first_name,
            last_name: u.last_name,
            phone_number: u.phone_number,
            date_of_birth: u.date_of_birth,
            gender: u.gender,
            role: u.role.as_ref().to_owned(),
            is_active: u.is_active,
            is_email_verified: u.is_email_verified,
            is_staff: u.is_staff,
            is_superuser: u.is_superuser,
            date_joined: u.date_joined,
            last_login: u.last_login,
        }
    }
}

/// A token pair, optionally with the user; always `Cache-Control: no-store`.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokensOut {
    pub access: String,
    pub refresh: String,
    pub token_type: &'static str,
    pub expires_in: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<UserOut>,
}

impl TokensOut {
    pub fn new(pair: TokenPair, user: Option<User>) -> Self {
        Self {
            access: pair.access,
            refresh: pair.refresh,
            token_type: "Bearer",
            expires_in: pair.expires_in,
            user: user.map(UserOut::from),
        }
    }
}

impl IntoResponse for TokensOut {
    fn into_response(self) -> Response {
        no_store(axum::Json(self))
    }
}

/// Marks a response as never to be cached (it carries credentials).
pub fn no_store(body: impl IntoResponse) -> Response {
    let mut response = body.into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
        .headers_mut()
        .insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

/// What every endpoint that could reveal whether an account exists says, whatever happened.
pub const MAYBE_SENT: &str =
    "If an account with this address can receive it, an email is on its way.";

/// The one answer of every canonical endpoint that could reveal whether an account exists: 202
/// and the same body whatever happened.
pub fn accepted() -> Response {
    (
        axum::http::StatusCode::ACCEPTED,
        axum::Json(serde_json::json!({ "detail": MAYBE_SENT })),
    )
        .into_response()
}
