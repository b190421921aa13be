//! SIN (Sindion): logout, change-password by pk, and the reset-link request. Its `api/login/`
//! and `api/token/refresh/` are shared with other seeds (`shapes`); `api/reset-password/` is
//! the page the reset link opens (`http::reset_page`).
//!
//! Departures from the seed, on purpose: change-password works only on the caller's own pk
//! (403 for any other, nothing changed), and the reset request answers the same for any address.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::shapes::with_tokens;
use crate::accounts;
use crate::app::AppState;
use crate::auth::Device;
use crate::http::activation::{EmailBody, email_only};
use crate::http::auth::{self, LogoutBody};
use crate::http::dto::MAYBE_SENT;
use crate::http::error::ApiError;
use crate::http::extract::{AuthUser, Json};
use crate::http::openapi::schemas::{Detail, ErrorBody, SinPasswordChanged};
use crate::http::password::{ChangeFields, change_password};
use crate::http::validate::Checks;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(logout))
        .routes(routes!(change))
        .routes(routes!(request_reset))
}

/// The canonical logout at SIN's path: the caller's session ends, and the one `refresh` names
/// if it is the caller's (anybody else's token is left alone).
#[utoipa::path(
    post,
    path = "/api/logout/",
    tag = "seed: SIN",
    request_body = LogoutBody,
    responses((status = 204, description = "The caller's session ended.")),
    security(("bearer" = []))
)]
async fn logout(
    state: State<AppState>,
    caller: AuthUser,
    device: Device,
    body: Json<LogoutBody>,
) -> Result<StatusCode, ApiError> {
    auth::logout(state, caller, device, body).await
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(as = SinChangeBody)]
#[expect(
    clippy::struct_field_names,
    reason = "the wire names of SIN's change-password"
)]
pub struct ChangeBody {
    #[schema(value_type = String, required = true)]
    old_password: Option<String>,
    #[schema(value_type = String, required = true)]
    new_password: Option<String>,
    #[schema(value_type = String, required = true)]
    confirm_new_password: Option<String>,
}

/// Only the profile owner: another pk is 403 before anything else is looked at.
#[utoipa::path(
    method(put, patch),
    path = "/api/change-password/{pk}/",
    tag = "seed: SIN",
    params(("pk" = String, Path, description = "The caller's own integer id.")),
    request_body = ChangeBody,
    responses(
        (status = 200, description = "The password changed; the next pair for this session.", body = SinPasswordChanged),
        (status = 403, description = "Another user's pk.", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
async fn change(
    State(state): State<AppState>,
    caller: AuthUser,
    device: Device,
    pk: Result<Path<String>, PathRejection>,
    Json(body): Json<ChangeBody>,
) -> Result<Response, ApiError> {
    let Path(pk) = pk.map_err(|_| ApiError::NotFound)?;
    if pk.parse::<i64>().ok() != Some(caller.user.id.0) {
        return Err(ApiError::Forbidden(
            "You can only change your own password.".to_owned(),
        ));
    }
    let fields = ChangeFields {
        old: ("old_password", body.old_password.as_deref()),
        new: ("new_password", body.new_password.as_deref()),
        again: ("confirm_new_password", body.confirm_new_password.as_deref()),
    };
    let pair = change_password(&state, &caller, fields, Checks::new(), &device).await?;
    Ok(with_tokens(
        &pair,
        json!({"detail": "Password updated successfully"}),
    ))
}

/// Emails a link to `api/reset-password/?token=…` (and a code) if the address belongs to an
/// active account; 200 and the same body either way.
#[utoipa::path(
    post,
    path = "/api/request-reset-password/",
    tag = "seed: SIN",
    request_body = EmailBody,
    responses((status = 200, description = "The same answer for any address.", body = Detail))
)]
async fn request_reset(
    State(state): State<AppState>,
    device: Device,
    Json(body): Json<EmailBody>,
) -> Result<axum::Json<serde_json::Value>, ApiError> {
    let email = email_only(&body)?;
    accounts::reset::request(&state, &email, &device).await?;
    Ok(axum::Json(json!({"detail": MAYBE_SENT})))
}
