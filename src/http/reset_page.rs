//! `/api/reset-password/?token=…`: where the emailed reset link leads (the path SIN's clients
//! know). In a browser, GET shows a small form and the form posts back here; an API client POSTs
//! JSON `{new_password, confirm_new_password, token?}` (the token from the query or the body).
//!
//! The page carries the token in its URL, so it is served with `Referrer-Policy: no-referrer`,
//! `no-store`, and a CSP that allows nothing but its own inline style and a form post to itself.

use axum::extract::{FromRequest, Query, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::error::ApiError;
use super::extract::Json;
use super::reset::{ConfirmBody, reset_password};
use crate::app::AppState;
use crate::auth::Device;
use crate::http::openapi::schemas::Detail;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(form, submit))
}

#[derive(Debug, Default, Deserialize)]
pub struct TokenQuery {
    token: Option<String>,
}

/// The fields of the page's form, and of SIN's JSON body.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[schema(as = ResetPageBody)]
pub struct PageBody {
    token: Option<String>,
    #[schema(value_type = String, required = true)]
    new_password: Option<String>,
    confirm_new_password: Option<String>,
}

#[utoipa::path(
    get,
    path = "/api/reset-password/",
    tag = "seed: SIN",
    params(("token" = Option<String>, Query, description = "The token from the emailed link.")),
    responses(
        (status = 200, description = "The set-password form.", content((String = "text/html"))),
    )
)]
async fn form(Query(query): Query<TokenQuery>) -> Response {
    page(
        StatusCode::OK,
        &form_html(query.token.as_deref().unwrap_or_default(), None),
    )
}

#[utoipa::path(
    post,
    path = "/api/reset-password/",
    tag = "seed: SIN",
    params(("token" = Option<String>, Query, description = "The token from the emailed link.")),
    request_body(content((PageBody = "application/json"), (PageBody = "application/x-www-form-urlencoded"))),
    responses(
        (status = 200, description = "The password is reset and every session ended: JSON for an API client, a page for the form.", content((Detail = "application/json"), (String = "text/html"))),
        (status = 400, description = "JSON field errors for an API client; the form again, with the problem, for a browser.", content((String = "text/html"))),
        (status = 503, description = "The server is busy.", content((String = "text/html"))),
    )
)]
async fn submit(
    State(state): State<AppState>,
    device: Device,
    Query(query): Query<TokenQuery>,
    req: Request,
) -> Response {
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if is_form {
        let Ok(axum::Form(body)) = axum::Form::<PageBody>::from_request(req, &state).await else {
            return page(
                StatusCode::BAD_REQUEST,
                &message_html("The form could not be read. Open the link from the email again."),
            );
        };
        let token = body.token.clone().or(query.token);
        match reset(&state, body, token.clone(), &device).await {
            Ok(()) => page(
                StatusCode::OK,
                &message_html(
                    "Your password has been reset. You can log in with the new password now.",
                ),
            ),
            Err(ApiError::Validation(errors)) => {
                let problems: Vec<String> = errors.into_values().flatten().collect();
                page(
                    StatusCode::BAD_REQUEST,
                    &form_html(
                        token.as_deref().unwrap_or_default(),
                        Some(&problems.join(" ")),
                    ),
                )
            }
            Err(ApiError::Busy) => page(
                StatusCode::SERVICE_UNAVAILABLE,
                &message_html("The server is busy. Go back and try again in a moment."),
            ),
            Err(e @ ApiError::Internal(_)) => e.into_response(),
            Err(_) => page(
                StatusCode::BAD_REQUEST,
                &message_html("This link is invalid or has expired. Ask for a new one."),
            ),
        }
    } else {
        match Json::<PageBody>::from_request(req, &state).await {
            Ok(Json(body)) => {
                let token = body.token.clone().or(query.token);
                match reset(&state, body, token, &device).await {
                    Ok(()) => axum::Json(json!({"detail": "Your password has been reset."}))
                        .into_response(),
                    Err(e) => e.into_response(),
                }
            }
            Err(e) => e.into_response(),
        }
    }
}

async fn reset(
    state: &AppState,
    body: PageBody,
    token: Option<String>,
    device: &Device,
) -> Result<(), ApiError> {
    let confirm = ConfirmBody {
        token: Some(token.unwrap_or_default()),
        new_password: body.new_password,
        re_new_password: body.confirm_new_password,
        ..ConfirmBody::default()
    };
    reset_password(state, &confirm, "confirm_new_password", device)
        .await
        .map(|_| ())
}

fn page(status: StatusCode, html: &str) -> Response {
    let mut response = (status, Html(html.to_owned())).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'"),
    );
    response
}

const STYLE: &str = "body{font-family:sans-serif;max-width:24rem;margin:3rem auto}label,input,button{display:block;width:100%;margin:.4rem 0}";

fn form_html(token: &str, problem: Option<&str>) -> String {
    let problem = problem
        .map(|p| format!("<p role=\"alert\">{}</p>", escape(p)))
        .unwrap_or_default();
    format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>Choose a new password</title><style>{STYLE}</style></head><body>\
         <h1>Choose a new password</h1>{problem}\
         <form method=\"post\"><input type=\"hidden\" name=\"token\" value=\"{}\">\
         <label for=\"p1\">New password</label><input id=\"p1\" name=\"new_password\" type=\"password\" autocomplete=\"new-password\" required>\
         <label for=\"p2\">New password again</label><input id=\"p2\" name=\"confirm_new_password\" type=\"password\" autocomplete=\"new-password\" required>\
         <button type=\"submit\">Set password</button></form></body></html>",
        escape(token)
    )
}

fn message_html(message: &str) -> String {
    format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>Password reset</title><style>{STYLE}</style></head><body><p>{}</p></body></html>",
        escape(message)
    )
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#x27;")
}
