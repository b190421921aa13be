//! Transport hygiene every response gets: CORS exactly as configured (none by default: the API
//! is called from servers and apps, and a browser front end on another origin must be named),
//! and the security headers browsers act on. Pages that know better (the reset form's strict
//! policy) set their own headers first; these only fill in what is missing.

use axum::http::{HeaderName, HeaderValue, Method, header};
use axum::response::Response;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::set_header::SetResponseHeaderLayer;

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

/// A layer that sets one header on responses without it.
type Fill<M = HeaderValue> = SetResponseHeaderLayer<M>;
/// The header's value for a response, or none to leave it out.
type ValueFor = fn(&Response) -> Option<HeaderValue>;

/// The security headers a response lacks, filled in on the way out; HTML pages also get
/// `HTML_POLICY`. Plain header layers rather than a `from_fn` middleware: they add no boxed
/// service or future to a request, which the benchmark's cheapest routes measure.
pub fn security_headers() -> (Fill, Fill, Fill, Fill<ValueFor>) {
    let fill =
        |name, value| SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value));
    (
        fill(header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        fill(header::X_FRAME_OPTIONS, "DENY"),
        fill(header::REFERRER_POLICY, "no-referrer"),
        SetResponseHeaderLayer::if_not_present(header::CONTENT_SECURITY_POLICY, html_policy),
    )
}

/// `HTML_POLICY` for an HTML page.
fn html_policy(response: &Response) -> Option<HeaderValue> {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"))
        .then(|| HeaderValue::from_static(HTML_POLICY))
}
