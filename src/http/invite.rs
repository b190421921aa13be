//! `POST /api/v1/users/invite/`: staff (or a role the configuration lets invite, such as an
//! employee inviting clients) create an account for someone else, who receives a link to choose
//! their password. The inviter never sees or sets that password.

use axum::extract::State;
use axum::http::StatusCode;
use gatehouse_domain::{AuditEvent, NewUser, PublicId, Username};
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::MAX_NAME;
use super::dto::UserOut;
use super::error::ApiError;
use super::extract::{AuthUser, Json};
use super::validate::Checks;
use crate::app::AppState;
use crate::auth::Device;
use crate::http::openapi::schemas::ErrorBody;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(invite))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct InviteBody {
    #[schema(value_type = String, required = true)]
    username: Option<String>,
    #[schema(value_type = String, required = true, format = Email)]
    email: Option<String>,
    #[schema(value_type = String, required = true)]
    role: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
}

/// A password hash nothing verifies against, as Django writes for unusable passwords.
fn unusable_password() -> String {
    format!("!{}", uuid::Uuid::new_v4().simple())
}

#[utoipa::path(
    post,
    path = "/invite/",
    tag = "users",
    request_body = InviteBody,
    responses(
        (status = 201, description = "The invited account; the invitee is emailed a set-password link.", body = UserOut),
        (status = 403, description = "The caller may not invite, or not this role.", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
async fn invite(
    State(state): State<AppState>,
    caller: AuthUser,
    device: Device,
    Json(body): Json<InviteBody>,
) -> Result<(StatusCode, axum::Json<UserOut>), ApiError> {
    let me = &caller.user;
    if !me.is_staff_member() && !state.roles.may_invite_any(&me.role) {
        return Err(ApiError::Forbidden(
            "You do not have permission to invite users.".to_owned(),
        ));
    }
    let mut c = Checks::new();
    let username = c.required("username", body.username.as_deref());
    let username = c.parse("username", username, Username::parse);
    let email = c.email("email", body.email.as_deref());
    let role = c.required("role", body.role.as_deref());
    let role = c.parse("role", role, |r| state.roles.parse(r));
    let first_name = c.text("first_name", body.first_name.as_deref(), MAX_NAME);
    let last_name = c.text("last_name", body.last_name.as_deref(), MAX_NAME);
    c.finish()?;
    let (Some(username), Some(email), Some(role)) = (username, email, role) else {
        return Err(ApiError::Internal(anyhow::anyhow!(
            "validated invite fields missing"
        )));
    };
    if !me.is_staff_member() && !state.roles.may_invite(&me.role, &role) {
        return Err(ApiError::Forbidden(
            "You may not invite users of this role.".to_owned(),
        ));
    }
    let user = state
        .secrets
        .invite(NewUser {
            public_id: PublicId::random(),
            username,
            email,
            password_hash: unusable_password(),
            first_name: first_name.unwrap_or_default(),
            last_name: last_name.unwrap_or_default(),
            phone_number: String::new(),
            date_of_birth: None,
            gender: String::new(),
            role,
            is_active: true,
            is_email_verified: false,
            is_staff: false,
            is_superuser: false,
            date_joined: state.clock.now(),
        })
        .await?;
    state.jobs_wake.notify_one();
    state
        .audit
        .event(AuditEvent::UserInvited, &device)
        .actor(me.id)
        .target(user.id)
        .detail(&json!({"role": user.role.as_ref()}))
        .record()
        .await;
    tracing::info!(user.id = %user.id, by = %me.id, "user invited");
    Ok((StatusCode::CREATED, axum::Json(user.into())))
}
