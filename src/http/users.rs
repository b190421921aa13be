//! `/api/v1/users/me/`: the caller's own account.
//!
//! PATCH changes profile fields only. The password, email, active/staff/superuser flags have
//! their own guarded paths and are refused here by name; a role may only change to one the user
//! could have picked at sign-up, so nobody promotes themself.

use axum::extract::State;
use axum::http::StatusCode;
use gatehouse_domain::{ProfilePatch, Username};
use serde::Deserialize;
use serde_json::Value;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::{MAX_GENDER, MAX_NAME, MAX_PHONE, parse_date};
use super::dto::UserOut;
use super::error::ApiError;
use super::extract::{AuthUser, Json};
use super::validate::Checks;
use crate::accounts;
use crate::app::AppState;
use crate::auth::Device;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(me, update, remove))
}

#[utoipa::path(
    get,
    path = "/me/",
    tag = "users",
    responses((status = 200, description = "The caller's account.", body = UserOut)),
    security(("bearer" = []))
)]
async fn me(caller: AuthUser) -> axum::Json<UserOut> {
    axum::Json(caller.user.into())
}

/// Fields a client may send to PATCH; the refused ones are listed so the answer can say why.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(as = MePatchBody)]
pub struct PatchBody {
    username: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
    phone_number: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[expect(
        clippy::option_option,
        reason = "absent (keep) differs from null (clear)"
    )]
    date_of_birth: Option<Option<String>>,
    gender: Option<String>,
    role: Option<String>,
    password: Option<Value>,
    email: Option<Value>,
    is_active: Option<Value>,
    is_staff: Option<Value>,
    is_superuser: Option<Value>,
    is_email_verified: Option<Value>,
}

/// Distinguishes an explicit `null` (clear the field) from an absent one.
#[expect(
    clippy::option_option,
    reason = "absent (keep) differs from null (clear)"
)]
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

#[utoipa::path(
    patch,
    path = "/me/",
    tag = "users",
    request_body = PatchBody,
    responses(
        (status = 200, description = "The updated account. Password, email and flags are refused by name.", body = UserOut),
    ),
    security(("bearer" = []))
)]
async fn update(
    State(state): State<AppState>,
    caller: AuthUser,
    Json(body): Json<PatchBody>,
) -> Result<axum::Json<UserOut>, ApiError> {
    let mut c = Checks::new();
    if body.password.is_some() {
        c.add(
            "password",
            "Use /api/v1/auth/password/change/ to change your password.",
        );
    }
    if body.email.is_some() {
        c.add("email", "Change the email address with /api/v1/users/me/email/ (a code confirms the new address).");
    }
    for (field, value) in [
        ("is_active", &body.is_active),
        ("is_staff", &body.is_staff),
        ("is_superuser", &body.is_superuser),
        ("is_email_verified", &body.is_email_verified),
    ] {
        if value.is_some() {
            c.add(field, "You cannot change this field.");
        }
    }
    let patch = ProfilePatch {
        username: c.parse("username", body.username.as_deref(), Username::parse),
        first_name: c.text("first_name", body.first_name.as_deref(), MAX_NAME),
        last_name: c.text("last_name", body.last_name.as_deref(), MAX_NAME),
        phone_number: c.text("phone_number", body.phone_number.as_deref(), MAX_PHONE),
        date_of_birth: match body.date_of_birth {
            Some(None) => Some(None),
            Some(Some(raw)) => parse_date(&mut c, "date_of_birth", Some(&raw)),
            None => None,
        },
        gender: c.text("gender", body.gender.as_deref(), MAX_GENDER),
        role: match body.role.as_deref() {
            Some(raw) if raw == caller.user.role.as_ref() => None,
            Some(raw) => c.parse("role", Some(raw), |r| state.roles.parse_self_assignable(r)),
            None => None,
        },
    };
    c.finish()?;
    let user = accounts::profile::update(&state, caller.user, &patch).await?;
    Ok(axum::Json(user.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(as = MeDeleteBody)]
pub struct DeleteBody {
    #[schema(value_type = String, required = true)]
    current_password: Option<String>,
}

/// Deletes the account for good; its sessions and tokens die with it.
#[utoipa::path(
    delete,
    path = "/me/",
    tag = "users",
    request_body = DeleteBody,
    responses((status = 204, description = "The account is deleted, with its sessions.")),
    security(("bearer" = []))
)]
pub async fn remove(
    State(state): State<AppState>,
    caller: AuthUser,
    device: Device,
    Json(body): Json<DeleteBody>,
) -> Result<StatusCode, ApiError> {
    let mut c = Checks::new();
    let password = c.required("current_password", body.current_password.as_deref());
    c.finish()?;
    let password = password.unwrap_or_default();
    accounts::profile::delete(
        &state,
        &caller.user,
        ("current_password", password),
        &device,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
