//! `/api/v1/users/me/email/` and `…/email/confirm/`: changing the address of an account.
//! The new address must prove itself with a code sent to it; the old address is told afterwards.
//! Asking needs the current password, so a stolen access token alone cannot move the account to
//! an attacker's address (and from there reset its password).

use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::dto::UserOut;
use super::error::ApiError;
use super::extract::{AuthUser, Json};
use super::validate::Checks;
use crate::accounts;
use crate::app::AppState;
use crate::auth::Device;
use crate::http::openapi::schemas::Detail;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(request))
        .routes(routes!(confirm))
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(as = EmailChangeBody)]
pub struct RequestBody {
    #[schema(value_type = String, required = true, format = Email)]
    email: Option<String>,
    #[schema(value_type = String, required = true)]
    password: Option<String>,
}

#[utoipa::path(
    post,
    path = "/me/email/",
    tag = "users",
    request_body = RequestBody,
    responses((status = 202, description = "A code was sent to the new address.", body = Detail)),
    security(("bearer" = []))
)]
async fn request(
    State(state): State<AppState>,
    caller: AuthUser,
    device: Device,
    Json(body): Json<RequestBody>,
) -> Result<(StatusCode, axum::Json<serde_json::Value>), ApiError> {
    let mut c = Checks::new();
    let email = c.email("email", body.email.as_deref());
    let password = c.required("password", body.password.as_deref());
    if let Some(new) = &email
        && new.as_ref().eq_ignore_ascii_case(&caller.user.email)
    {
        c.add("email", "This is already your email address.");
    }
    c.finish()?;
    let (Some(email), Some(password)) = (email, password) else {
        return Err(ApiError::Internal(anyhow::anyhow!(
            "validated fields missing"
        )));
    };
    accounts::email::request_change(&state, &caller.user, &email, password, &device).await?;
    Ok((
        StatusCode::ACCEPTED,
        axum::Json(
            json!({"detail": "We sent a code to the new address. Confirm it to finish the change."}),
        ),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(as = EmailChangeConfirmBody)]
pub struct ConfirmBody {
    #[schema(value_type = String, required = true)]
    code: Option<String>,
}

#[utoipa::path(
    post,
    path = "/me/email/confirm/",
    tag = "users",
    request_body = ConfirmBody,
    responses((status = 200, description = "The account with its new address.", body = UserOut)),
    security(("bearer" = []))
)]
async fn confirm(
    State(state): State<AppState>,
    caller: AuthUser,
    device: Device,
    Json(body): Json<ConfirmBody>,
) -> Result<axum::Json<UserOut>, ApiError> {
    let mut c = Checks::new();
    let code = c.code("code", body.code.as_deref());
    c.finish()?;
    let code = code.ok_or_else(|| ApiError::Internal(anyhow::anyhow!("validated code missing")))?;
    let user = accounts::email::confirm_change(&state, caller.user, &code, &device).await?;
    Ok(axum::Json(user.into()))
}
