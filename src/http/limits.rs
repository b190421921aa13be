//! The rate-limit middleware: classifies each request by method + path (`limits::rules`), reads
//! the client IP and the identifier the body names, asks the `Limiter` before the handler runs
//! and tells it the answer's status afterwards. Handlers stay unaware of it.
//!
//! The body of a limited request is read here (up to the configured limit) and handed on byte
//! for byte; it is parsed leniently, only to find `login`, `username` or `email`.

use std::net::{IpAddr, SocketAddr};

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::error::ApiError;
use crate::app::AppState;
use crate::limits::Subject;
use crate::limits::rules::classify;

/// Fields that name the account a request is about, in the order handlers read them.
const IDENTIFIER_FIELDS: [&str; 3] = ["login", "username", "email"];
/// Longer values are not identifiers anyone has; they are cut before hashing.
const MAX_IDENTIFIER: usize = 320;

/// Applies the limits to the request, or answers 429 with `Retry-After`.
pub async fn enforce(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let Some(limiter) = &state.limits else {
        return next.run(req).await;
    };
    let Some(class) = classify(req.method(), req.uri().path()) else {
        return next.run(req).await;
    };
    let ip = client_ip(&req, state.config.trusted_proxy_header.as_deref());
    let (parts, body) = req.into_parts();
    // Past the limit the handler would answer 413 too; a body that breaks off mid-way has
    // nobody left to read the answer.
    let Ok(bytes) = axum::body::to_bytes(body, state.config.max_body_bytes).await else {
        return ApiError::PayloadTooLarge.into_response();
    };
    let subject = Subject {
        class,
        ip,
        identifier: identifier(&bytes),
    };
    if let Err(retry_after) = limiter.admit(&subject).await {
        return ApiError::Throttled { retry_after }.into_response();
    }
    let response = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    limiter.record(&subject, response.status()).await;
    response
}

/// The socket's address, or the right-most address of the trusted proxy's header when one is
/// configured and holds an address (the proxy appends the address it saw last).
fn client_ip(req: &Request, trusted_header: Option<&str>) -> IpAddr {
    let socket = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::from([0, 0, 0, 0]), |ConnectInfo(addr)| addr.ip());
    trusted_header
        .and_then(|name| forwarded(req.headers(), name.trim()))
        .unwrap_or(socket)
}

fn forwarded(headers: &HeaderMap, name: &str) -> Option<IpAddr> {
    let last = headers.get_all(name).iter().next_back()?.to_str().ok()?;
    let address = last.rsplit(',').next()?.trim();
    address
        .parse::<IpAddr>()
        .ok()
        .or_else(|| address.parse::<SocketAddr>().ok().map(|a| a.ip()))
}

/// The first non-empty identifier field of a JSON object body, trimmed and lower-cased.
fn identifier(body: &[u8]) -> Option<String> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    let object = value.as_object()?;
    IDENTIFIER_FIELDS.iter().find_map(|field| {
        let text = object.get(*field)?.as_str()?.trim();
        (!text.is_empty()).then(|| {
            text.chars()
                .take(MAX_IDENTIFIER)
                .collect::<String>()
                .to_lowercase()
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_identifier_is_the_first_named_field_lower_cased() {
        assert_eq!(
            identifier(br#"{"username": " Bob ", "email": "x@y.z"}"#).as_deref(),
            Some("bob")
        );
        assert_eq!(
            identifier(br#"{"login": "", "email": "A@B.C"}"#).as_deref(),
            Some("a@b.c")
        );
        assert_eq!(identifier(br#"{"username": 5}"#), None);
        assert_eq!(identifier(b"not json"), None);
    }

    #[test]
    fn the_right_most_forwarded_address_is_the_client() {
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", "1.2.3.4, 10.0.0.7".parse().unwrap());
        assert_eq!(
            forwarded(&headers, "x-forwarded-for"),
            Some(IpAddr::from([10, 0, 0, 7]))
        );
        headers.insert("x-forwarded-for", "garbage".parse().unwrap());
        assert_eq!(forwarded(&headers, "x-forwarded-for"), None);
    }
}
