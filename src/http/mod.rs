//! The HTTP surface: one `router()` per resource, merged here with the middleware every request
//! passes through (request id, tracing, timeout, rate limits, body limit, panic and 500
//! handling).

pub mod activation;
pub mod admin;
pub mod auth;
pub mod compat;
pub mod directory;
pub mod dto;
pub mod email_change;
pub mod error;
pub mod extract;
mod guard;
pub mod hygiene;
pub mod invite;
pub mod limits;
pub mod mfa;
pub mod openapi;
pub mod otp;
pub mod paging;
pub mod password;
pub mod reset;
pub mod reset_page;
pub mod service;
pub mod sessions;
pub mod users;
pub mod validate;

use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{HeaderName, StatusCode, Uri};
use axum::middleware;
use axum::response::IntoResponse;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;
use tracing::Level;
use tracing::level_filters::LevelFilter;
use utoipa_axum::router::OpenApiRouter;

use crate::app::AppState;
use error::{ApiError, InternalCause};

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Every API route with its OpenAPI operation: each module registers its handlers with
/// `routes!`, which adds the route and the operation together, so the two cannot differ.
pub fn api() -> OpenApiRouter<AppState> {
    let api_auth = auth::router()
        .merge(activation::router())
        .merge(mfa::router())
        .merge(otp::router())
        .merge(password::router())
        .merge(reset::router())
        .merge(sessions::router());
    OpenApiRouter::new()
        .nest("/api/v1/auth", api_auth)
        .nest(
            "/api/v1/users",
            users::router()
                .merge(email_change::router())
                .merge(invite::router())
                .merge(directory::router()),
        )
        .merge(directory::list_router())
        .nest("/api/v1/admin", admin::router())
        .merge(reset_page::router())
        .merge(compat::router())
        .merge(service::router())
}

/// Every route, with the OpenAPI document and its pages, and the middleware stack, ready to
/// serve. Every layer runs on every request, so one with nothing to do (rate limits switched
/// off, request spans no log filter lets through) is left out rather than passed through.
/// Without the trace layer an internal error is still logged, by the guard, with its request id.
pub fn router(state: AppState) -> Router {
    let (api, operations) = api().split_for_parts();
    let mut router = api
        .merge(openapi::router(openapi::complete(operations)))
        .fallback(|| async { ApiError::NotFound })
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .layer(DefaultBodyLimit::max(state.config.max_body_bytes))
        .layer(CatchPanicLayer::custom(|_| {
            let mut response = StatusCode::INTERNAL_SERVER_ERROR.into_response();
            response
                .extensions_mut()
                .insert(InternalCause(std::sync::Arc::new(anyhow::anyhow!(
                    "handler panicked"
                ))));
            response
        }));
    if state.limits.is_some() {
        router = router.layer(middleware::from_fn_with_state(
            state.clone(),
            limits::enforce,
        ));
    }
    router = router
        .layer(guard::GuardLayer::new(state.config.request_timeout))
        .layer(hygiene::security_headers())
        .layer(tower::util::option_layer(hygiene::cors(&state.config)));
    if LevelFilter::current() >= Level::INFO {
        router = router.layer(TraceLayer::new_for_http().make_span_with(|req: &Request| {
            // The path only: query strings can carry tokens (password-reset links).
            let id = guard::request_id(req.headers().get(REQUEST_ID));
            tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
        }));
    }
    router
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .with_state(state)
}

/// Makes `/a/b` answer as `/a/b/` (no redirect, so POST bodies survive); paths whose last segment
/// has a dot (`jwks.json`) are files and stay as they are.
pub fn normalize_path(mut req: Request<Body>) -> Request<Body> {
    let path = req.uri().path();
    let last = path.rsplit('/').next().unwrap_or("");
    if path.ends_with('/') || last.contains('.') {
        return req;
    }
    let mut target = format!("{path}/");
    if let Some(query) = req.uri().query() {
        target.push('?');
        target.push_str(query);
    }
    let mut parts = req.uri().clone().into_parts();
    if let Ok(pq) = target.parse() {
        parts.path_and_query = Some(pq);
        if let Ok(uri) = Uri::from_parts(parts) {
            *req.uri_mut() = uri;
        }
    }
    req
}
