//! Transport hygiene every response gets: CORS exactly as configured (none by default: the API
//! is called from servers and apps, and a browser front end on another origin must be named),
//! and the security headers browsers act on. Pages that know better (the reset form's strict
//! policy) set their own headers first; these only fill in what is missing.

use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::Response;
use tower_http::cors::{AllowOrigin, CorsLayer};

use crate::config::Config;

/// The CORS layer for the configured origins, or `None` when none are configured.
pub fn cors(config: &Config) -> Option<CorsLayer> {
    if config.cors_origins.is_empty() {
        return None;
    }
    let origin = if config.cors_origins.iter().any(|o| o == "*") {
        AllowOrigin::any()
    } else {
        AllowOrigin::list(
            config
                .cors_origins
                .iter()
                .filter_map(|o| HeaderValue::from_str(o).ok()),
        )
    };
    Some(
        CorsLayer::new()
            .allow_origin(origin)
            .allow_methods([
                Method::GET,
                Method::POST,
                Method::PUT,
                Method::PATCH,
                Method::DELETE,
            ])
            .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE])
            .expose_headers([
                header::RETRY_AFTER,
                header::LINK,
                HeaderName::from_static("x-request-id"),
                HeaderName::from_static("x-total-count"),
            ])
            .allow_credentials(config.cors_credentials)
            .max_age(std::time::Duration::from_mins(10)),
    )
}

/// What every HTML page may load: its own scripts and styles (inline styles too), images from
/// itself or data URIs, no framing, no plugins, forms posting to itself only.
const HTML_POLICY: &str = "default-src 'self'; img-src 'self' data:; style-src 'self' \
    'unsafe-inline'; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; \
    form-action 'self'; frame-ancestors 'none'";

/// Adds the security headers a response lacks.
pub async fn security_headers(req: Request, next: Next) -> Response {
    let mut response = next.run(req).await;
    let html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    let headers = response.headers_mut();
    let mut fill = |name: HeaderName, value: &'static str| {
        if !headers.contains_key(&name) {
            headers.insert(name, HeaderValue::from_static(value));
        }
    };
    fill(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    fill(header::X_FRAME_OPTIONS, "DENY");
    fill(header::REFERRER_POLICY, "no-referrer");
    if html {
        fill(header::CONTENT_SECURITY_POLICY, HTML_POLICY);
    }
    response
}
