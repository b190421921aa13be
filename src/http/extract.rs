//! Extractors: our own `Json` (so bad bodies get our error shape), the caller as `AuthUser`,
//! and the `Device` a session is recorded against.

use std::net::SocketAddr;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use gatehouse_domain::{SessionId, User, UserId};
use serde::de::DeserializeOwned;

use super::error::ApiError;
use crate::app::AppState;
use crate::auth::{Claims, Device};

/// A JSON body. An empty body reads as `{}` (so missing fields get field errors); another
/// content type is 415, malformed JSON 400 `parse_error`, a value that is not an object or has a
/// field of the wrong type 400 with field messages, too large 413.
#[derive(Debug, Clone, Copy, Default)]
pub struct Json<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .map(|v| v.to_str().unwrap_or("").to_ascii_lowercase());
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::PayloadTooLarge
            } else {
                ApiError::BadRequest {
                    detail: rejection.body_text(),
                    code: "parse_error",
                }
            }
        })?;
        if let Some(content_type) = &content_type {
            let essence = content_type.split(';').next().unwrap_or("").trim();
            let is_json = essence == "application/json"
                || (essence.starts_with("application/") && essence.ends_with("+json"));
            if !is_json && !bytes.is_empty() {
                return Err(ApiError::UnsupportedMediaType(format!(
                    "Unsupported media type \"{essence}\" in request; send application/json."
                )));
            }
        } else if !bytes.is_empty() {
            return Err(ApiError::UnsupportedMediaType(
                "Missing Content-Type; send application/json.".to_owned(),
            ));
        }
        let bytes: &[u8] = if bytes.is_empty() { b"{}" } else { &bytes };
        // The usual case, a well-formed object, in one pass; anything else is read again
        // below for its exact error. The object check keeps arrays out: serde reads a struct
        // from a sequence too.
        if bytes.trim_ascii_start().first() == Some(&b'{')
            && let Ok(body) = serde_json::from_slice(bytes)
        {
            return Ok(Json(body));
        }
        let value: serde_json::Value =
            serde_json::from_slice(bytes).map_err(|e| ApiError::BadRequest {
                detail: format!("JSON parse error - {e}"),
                code: "parse_error",
            })?;
        if !value.is_object() {
            return Err(ApiError::field(
                "non_field_errors",
                format!(
                    "Invalid data. Expected a dictionary, but got {}.",
                    kind(&value)
                ),
            ));
        }
        serde_path_to_error::deserialize(value)
            .map(Json)
            .map_err(|e| {
                let field = e
                    .path()
                    .iter()
                    .next()
                    .map_or_else(|| "non_field_errors".to_owned(), ToString::to_string);
                ApiError::field(&field, type_message(&e.into_inner().to_string()))
            })
    }
}

fn kind(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "bool",
        serde_json::Value::Number(_) => "number",
        serde_json::Value::String(_) => "str",
        serde_json::Value::Array(_) => "list",
        serde_json::Value::Object(_) => "dict",
    }
}

/// serde's "invalid type: integer `5`, expected a string" in DRF's words.
fn type_message(serde: &str) -> String {
    if serde.contains("expected a string") {
        "Not a valid string.".to_owned()
    } else if serde.contains("expected a boolean") {
        "Must be a valid boolean.".to_owned()
    } else {
        format!("Invalid value: {serde}.")
    }
}

/// The authenticated caller: a valid, unrevoked access token of an active user.
#[derive(Debug, Clone)]
pub struct AuthUser {
    /// The user as stored now, not as the token describes them.
    pub user: User,
    pub session: SessionId,
    pub claims: Claims,
}

impl FromRequestParts<AppState> for AuthUser {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = bearer(parts)?;
        let claims = state
            .sessions
            .access()
            .verify(token, state.sessions.now())
            .await?;
        let user = state
            .sessions
            .current_user(UserId(claims.user_id))
            .await?
            .filter(|u| u.public_id.0 == claims.sub)
            .ok_or_else(|| ApiError::unauthorized("User not found.", "user_not_found"))?;
        if !user.is_active {
            return Err(ApiError::unauthorized("User is inactive.", "user_inactive"));
        }
        Ok(Self {
            user,
            session: SessionId(claims.sid),
            claims,
        })
    }
}

/// The token from `Authorization: Bearer <token>` (or `JWT <token>`, simplejwt's other prefix).
fn bearer(parts: &Parts) -> Result<&str, ApiError> {
    let Some(value) = parts.headers.get(header::AUTHORIZATION) else {
        return Err(ApiError::not_authenticated());
    };
    let malformed = || {
        ApiError::unauthorized(
            "Authorization header must contain two space-delimited values: Bearer <token>.",
            "bad_authorization_header",
        )
    };
    let value = value.to_str().map_err(|_| malformed())?;
    let mut words = value.split_whitespace();
    match (words.next(), words.next(), words.next()) {
        (Some(scheme), Some(token), None)
            if scheme.eq_ignore_ascii_case("bearer") || scheme == "JWT" =>
        {
            Ok(token)
        }
        _ => Err(malformed()),
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Device {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let user_agent = parts
            .headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let ip = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip().to_string())
            .unwrap_or_default();
        Ok(Self { user_agent, ip })
    }
}
