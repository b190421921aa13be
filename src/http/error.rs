//! `ApiError`: every failure a handler can answer with, rendered in the DRF wire format.
//!
//! - validation: 400 `{"field": ["message"], "non_field_errors": [...]}`;
//! - everything else: `{"detail": "...", "code": "..."}` with its status;
//! - 5xx never leaks internals: the cause travels in a response extension to the request-id
//!   middleware, which logs it once with the request id and writes
//!   `{"detail": "internal error", "code": "internal", "request_id": "..."}`.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use gatehouse_domain::StoreError;
use serde_json::json;

use crate::auth::mfa::MfaError;
use crate::auth::secrets::SecretError;
use crate::auth::{Busy, RefreshError, TokenError};

/// Field name → messages, the body of a 400.
pub type FieldErrors = BTreeMap<String, Vec<String>>;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400 with per-field messages.
    #[error("invalid input")]
    Validation(FieldErrors),
    /// 400 with a detail, for a body that is not usable at all (malformed JSON).
    #[error("{detail}")]
    BadRequest { detail: String, code: &'static str },
    /// 401 with `WWW-Authenticate: Bearer`.
    #[error("{detail}")]
    Unauthorized { detail: String, code: &'static str },
    /// 403.
    #[error("{0}")]
    Forbidden(String),
    /// 404.
    #[error("Not found.")]
    NotFound,
    /// 404 for a page number past the end or not a page number (DRF's words).
    #[error("Invalid page.")]
    InvalidPage,
    /// 409: the request conflicts with the resource's state.
    #[error("{0}")]
    Conflict(String),
    /// 405.
    #[error("Method not allowed.")]
    MethodNotAllowed,
    /// 413.
    #[error("Request body is too large.")]
    PayloadTooLarge,
    /// 415.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// 429 + `Retry-After` (seconds).
    #[error("Request was throttled.")]
    Throttled { retry_after: u64 },
    /// 503 + `Retry-After`: a bounded resource (password hashing) is saturated.
    #[error("The server is busy; retry shortly.")]
    Busy,
    /// 200 `{mfa_required: true, mfa_token, expires_in}` with `Cache-Control: no-store`: not a
    /// failure but the end of the first step of a login. The login use case raises it when the
    /// account has a second factor, so every login route, canonical or seed, answers the same
    /// challenge and none of them can issue tokens by mistake.
    #[error("a second factor is required")]
    MfaRequired(crate::auth::mfa::Challenge),
    /// 500; the cause is logged, never shown.
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

/// The cause of a 500, handed from `ApiError` to the middleware that knows the request id.
#[derive(Debug, Clone)]
pub struct InternalCause(pub Arc<anyhow::Error>);

impl ApiError {
    /// 400 for one field.
    pub fn field(name: &str, message: impl Into<String>) -> Self {
        Self::Validation(FieldErrors::from([(name.to_owned(), vec![message.into()])]))
    }

    pub fn unauthorized(detail: impl Into<String>, code: &'static str) -> Self {
        Self::Unauthorized {
            detail: detail.into(),
            code,
        }
    }

    /// The 401 every failed password login gets, whatever the reason.
    pub fn invalid_credentials() -> Self {
        Self::unauthorized(
            "No active account found with the given credentials.",
            "invalid_credentials",
        )
    }

    pub fn not_authenticated() -> Self {
        Self::unauthorized(
            "Authentication credentials were not provided.",
            "not_authenticated",
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, body) = match &self {
            Self::Validation(errors) => (StatusCode::BAD_REQUEST, json!(errors)),
            Self::BadRequest { detail, code } => (
                StatusCode::BAD_REQUEST,
                json!({"detail": detail, "code": code}),
            ),
            Self::Unauthorized { detail, code } => {
                let mut response = (
                    StatusCode::UNAUTHORIZED,
                    Json(json!({"detail": detail, "code": code})),
                )
                    .into_response();
                response.headers_mut().insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Bearer realm=\"api\""),
                );
                return response;
            }
            Self::Forbidden(detail) => (
                StatusCode::FORBIDDEN,
                json!({"detail": detail, "code": "permission_denied"}),
            ),
            Self::NotFound => (
                StatusCode::NOT_FOUND,
                json!({"detail": "Not found.", "code": "not_found"}),
            ),
            Self::InvalidPage => (
                StatusCode::NOT_FOUND,
                json!({"detail": "Invalid page.", "code": "not_found"}),
            ),
            Self::Conflict(detail) => (
                StatusCode::CONFLICT,
                json!({"detail": detail, "code": "conflict"}),
            ),
            Self::MethodNotAllowed => (
                StatusCode::METHOD_NOT_ALLOWED,
                json!({"detail": "Method not allowed.", "code": "method_not_allowed"}),
            ),
            Self::PayloadTooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                json!({"detail": "Request body is too large.", "code": "payload_too_large"}),
            ),
            Self::UnsupportedMediaType(detail) => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                json!({"detail": detail, "code": "unsupported_media_type"}),
            ),
            Self::Throttled { retry_after } => {
                let mut response = (
                    StatusCode::TOO_MANY_REQUESTS,
                    Json(json!({
                        "detail": format!("Request was throttled. Expected available in {retry_after} seconds."),
                        "code": "throttled",
                    })),
                )
                    .into_response();
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(*retry_after));
                return response;
            }
            Self::Busy => {
                let mut response = (
                    StatusCode::SERVICE_UNAVAILABLE,
                    Json(json!({"detail": "The server is busy; retry shortly.", "code": "busy"})),
                )
                    .into_response();
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
                return response;
            }
            Self::MfaRequired(challenge) => {
                return super::dto::no_store(Json(json!({
                    "mfa_required": true,
                    "mfa_token": challenge.token,
                    "expires_in": challenge.expires_in,
                })));
            }
            Self::Internal(cause) => {
                let mut response = StatusCode::INTERNAL_SERVER_ERROR.into_response();
                response
                    .extensions_mut()
                    .insert(InternalCause(Arc::new(anyhow::anyhow!("{cause:#}"))));
                return response;
            }
        };
        (status, Json(body)).into_response()
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict(field) => {
                Self::field(field, format!("A user with that {field} already exists."))
            }
            StoreError::NotFound => Self::NotFound,
            StoreError::Other(e) => Self::Internal(anyhow::anyhow!(e)),
        }
    }
}

impl From<anyhow::Error> for ApiError {
    fn from(e: anyhow::Error) -> Self {
        Self::Internal(e)
    }
}

impl From<Busy> for ApiError {
    fn from(_: Busy) -> Self {
        Self::Busy
    }
}

impl From<TokenError> for ApiError {
    fn from(e: TokenError) -> Self {
        Self::unauthorized(e.to_string(), "token_not_valid")
    }
}

impl From<RefreshError> for ApiError {
    fn from(e: RefreshError) -> Self {
        match e {
            RefreshError::Invalid | RefreshError::Ended => {
                Self::unauthorized(e.to_string(), "token_not_valid")
            }
            RefreshError::Reused => Self::unauthorized(e.to_string(), "refresh_token_reused"),
            RefreshError::Inactive => Self::unauthorized(e.to_string(), "user_inactive"),
            RefreshError::Store(e) => e.into(),
            RefreshError::Signing(e) => Self::Internal(e),
        }
    }
}

impl From<MfaError> for ApiError {
    /// Wrong codes here are 401s: `token/mfa/` is a login. The enrolment endpoints map them to
    /// field errors themselves.
    fn from(e: MfaError) -> Self {
        match e {
            MfaError::Challenge => Self::unauthorized(e.to_string(), "invalid_mfa_token"),
            MfaError::WrongCode(_) => Self::unauthorized(e.to_string(), "invalid_mfa_code"),
            MfaError::AlreadyOn | MfaError::NotOn | MfaError::NotEnrolling => {
                Self::Conflict(e.to_string())
            }
            MfaError::Store(e) => e.into(),
            MfaError::Other(e) => Self::Internal(e),
        }
    }
}

impl From<SecretError> for ApiError {
    fn from(e: SecretError) -> Self {
        match e {
            SecretError::Invalid => Self::BadRequest {
                detail: e.to_string(),
                code: "invalid_code",
            },
            SecretError::Store(e) => e.into(),
            SecretError::Other(e) => Self::Internal(e),
        }
    }
}
