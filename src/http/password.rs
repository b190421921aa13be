//! `/api/v1/auth/password/change/`: a new password for a caller who knows the old one. Every
//! other session ends; this one continues with a fresh token pair.

use axum::extract::State;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::dto::TokensOut;
use super::error::ApiError;
use super::extract::{AuthUser, Json};
use super::validate::Checks;
use crate::accounts;
use crate::app::AppState;
use crate::auth::{Device, TokenPair};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(change))
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(as = PasswordChangeBody)]
#[expect(
    clippy::struct_field_names,
    reason = "the wire names of djoser's set_password"
)]
pub struct ChangeBody {
    #[schema(value_type = String, required = true)]
    old_password: Option<String>,
    #[schema(value_type = String, required = true)]
    new_password: Option<String>,
    #[schema(value_type = String, required = true)]
    re_new_password: Option<String>,
}

#[utoipa::path(
    post,
    path = "/password/change/",
    tag = "auth",
    request_body = ChangeBody,
    responses(
        (status = 200, description = "A new pair for this session; every other session ended.", body = TokensOut),
    ),
    security(("bearer" = []))
)]
async fn change(
    State(state): State<AppState>,
    caller: AuthUser,
    device: Device,
    Json(body): Json<ChangeBody>,
) -> Result<TokensOut, ApiError> {
    let fields = ChangeFields {
        old: ("old_password", body.old_password.as_deref()),
        new: ("new_password", body.new_password.as_deref()),
        again: ("re_new_password", body.re_new_password.as_deref()),
    };
    let pair = change_password(&state, &caller, fields, Checks::new(), &device).await?;
    Ok(TokensOut::new(pair, None))
}

/// A password change as sent, each field with its name in the caller's wire shape.
#[derive(Debug)]
pub struct ChangeFields<'a> {
    pub old: (&'static str, Option<&'a str>),
    pub new: (&'static str, Option<&'a str>),
    pub again: (&'static str, Option<&'a str>),
}

/// Parses a password change (adding to the problems already in `c`) and changes the password.
pub async fn change_password(
    state: &AppState,
    caller: &AuthUser,
    fields: ChangeFields<'_>,
    mut c: Checks,
    device: &Device,
) -> Result<TokenPair, ApiError> {
    let old = c.required(fields.old.0, fields.old.1);
    let new = c.required(fields.new.0, fields.new.1);
    let again = c.required(fields.again.0, fields.again.1);
    c.confirmation(fields.again.0, new, again);
    let user = &caller.user;
    let new = c.new_password(
        &state.policy,
        fields.new.0,
        new,
        &accounts::password::identifiers(user),
    );
    c.finish()?;
    let (Some(old), Some(new)) = (old, new) else {
        return Err(ApiError::Internal(anyhow::anyhow!(
            "validated password fields missing"
        )));
    };
    accounts::password::change(
        state,
        user,
        caller.session,
        (fields.old.0, old),
        &new,
        device,
    )
    .await
}
