//! `/api/v1/users/` and `/api/v1/users/{id}/`: the member directory and staff administration of
//! accounts.
//!
//! Any signed-in user may list and look up members; they see active, non-staff accounts only,
//! without contact details, and may search and order by public fields only — otherwise the
//! directory would confirm who has an account at a given address. Staff see everyone in full
//! and may change `is_active` and `role`; only a superuser may change `is_staff` or touch a staff
//! account, and only a superuser may delete one. Nobody changes their own flags here.

use axum::extract::Path;
use axum::extract::State;
use axum::extract::rejection::PathRejection;
use axum::http::StatusCode;
use gatehouse_domain::{
    AccountPatch, AuditEvent, PublicId, SearchScope, User, UserId, UserOrderField, UserOrdering,
    UserQuery,
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::dto::UserOut;
use super::error::ApiError;
use super::extract::{AuthUser, Json};
use super::paging::{Page, PageRequest, Params};
use super::validate::Checks;
use crate::app::AppState;
use crate::auth::Device;
use crate::http::openapi::params::{PageParams, RoleParams, SearchParams};
use crate::http::openapi::schemas::ErrorBody;

/// The routes under `/api/v1/users/`.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(detail, update, remove))
}

/// The list itself, at its full path: a nested router's `/` would not match the trailing slash.
pub fn list_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list))
}

/// Longest search term accepted.
const MAX_SEARCH: usize = 100;

/// What a member may order the directory by.
const PUBLIC_ORDERING: [UserOrderField; 6] = [
    UserOrderField::Id,
    UserOrderField::Username,
    UserOrderField::FirstName,
    UserOrderField::LastName,
    UserOrderField::Role,
    UserOrderField::DateJoined,
];

/// A member as other members see them.
#[derive(Debug, Serialize, ToSchema)]
// No other fields: in the document this makes a full user never match `MemberOut` too, so the
// directory's `oneOf` has exactly one match.
#[serde(deny_unknown_fields)]
pub struct MemberOut {
    pub id: i64,
    pub public_id: Uuid,
    pub username: String,
    pub first_name: String,
    pub last_name: String,
    pub role: String,
    pub date_joined: chrono::DateTime<chrono::Utc>,
}

impl From<User> for MemberOut {
    fn from(u: User) -> Self {
        Self {
            id: u.id.0,
            public_id: u.public_id.0,
            username: u.username,
            first_name: u.first_name,
            last_name: u.last_name,
            role: u.role.as_ref().to_owned(),
            date_joined: u.date_joined,
        }
    }
}

/// A user in the shape the caller may see.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = UserOrMember)]
#[serde(untagged)]
pub enum Shown {
    Full(Box<UserOut>),
    Member(MemberOut),
}

impl Shown {
    pub fn for_caller(caller: &User, user: User) -> Self {
        if caller.is_staff_member() || caller.id == user.id {
            Self::Full(Box::new(user.into()))
        } else {
            Self::Member(user.into())
        }
    }
}

/// The directory query a caller's parameters ask for; field errors for bad values.
pub fn directory_query(
    state: &AppState,
    caller: &User,
    params: &Params,
    role: Option<&str>,
) -> Result<(UserQuery, PageRequest), ApiError> {
    let staff = caller.is_staff_member();
    let mut c = Checks::new();
    let role = c.parse("role", role, |r| state.roles.parse(r));
    let search = c.text("search", params.get("search"), MAX_SEARCH);
    let allowed: &[UserOrderField] = if staff {
        UserOrdering::all_fields()
    } else {
        &PUBLIC_ORDERING
    };
    let ordering = c
        .parse("ordering", params.get("ordering"), |raw| {
            UserOrdering::parse(raw, allowed)
        })
        .unwrap_or_default();
    let page = PageRequest::parse(&mut c, params)?;
    c.finish()?;
    let query = UserQuery {
        role,
        search,
        scope: if staff {
            SearchScope::WithEmail
        } else {
            SearchScope::Public
        },
        include_staff: staff,
        include_inactive: staff,
        ordering,
        offset: page.offset(),
        limit: page.size,
    };
    Ok((query, page))
}

/// One page of the directory as the caller may see it (still to be shaped for them).
pub async fn directory_page(
    state: &AppState,
    caller: &User,
    params: &Params,
    role: Option<&str>,
) -> Result<Page<User>, ApiError> {
    let (query, page) = directory_query(state, caller, params, role)?;
    let found = state.store.list_users(&query).await?;
    Page::new(params, page, found.total, found.users)
}

#[utoipa::path(
    get,
    path = "/api/v1/users/",
    tag = "users",
    params(RoleParams, SearchParams, PageParams),
    responses(
        (status = 200, description = "A page of users: in full for staff, as members otherwise.", body = Page<Shown>),
    ),
    security(("bearer" = []))
)]
async fn list(
    State(state): State<AppState>,
    caller: AuthUser,
    params: Params,
) -> Result<axum::Json<Page<Shown>>, ApiError> {
    let page = directory_page(&state, &caller.user, &params, params.get("role")).await?;
    Ok(axum::Json(page.map(|u| Shown::for_caller(&caller.user, u))))
}

/// The user `raw` names (an integer id or a public UUID), if the caller may see them: members
/// see only active non-staff accounts and themself; anything else is 404, as a missing user.
pub async fn visible_user(state: &AppState, caller: &User, raw: &str) -> Result<User, ApiError> {
    let found = if let Ok(id) = raw.parse::<i64>() {
        state.store.user_by_id(UserId(id)).await?
    } else if let Ok(id) = Uuid::parse_str(raw) {
        state.store.user_by_public_id(PublicId(id)).await?
    } else {
        return Err(ApiError::BadRequest {
            detail: format!("\"{raw}\" is not a user id: use the integer id or the public UUID."),
            code: "invalid_id",
        });
    };
    found
        .filter(|u| {
            caller.is_staff_member() || u.id == caller.id || (u.is_active && !u.is_staff_member())
        })
        .ok_or(ApiError::NotFound)
}

/// The `{id}` path segment, refused in our error shape when it cannot be read.
fn path_id(path: Result<Path<String>, PathRejection>) -> Result<String, ApiError> {
    path.map(|Path(raw)| raw).map_err(|e| ApiError::BadRequest {
        detail: e.body_text(),
        code: "invalid_id",
    })
}

#[utoipa::path(
    get,
    path = "/{id}/",
    tag = "users",
    params(("id" = String, Path, description = "The integer id or the public UUID.")),
    responses(
        (status = 200, description = "The user, in full for staff and oneself, as a member otherwise.", body = Shown),
    ),
    security(("bearer" = []))
)]
async fn detail(
    State(state): State<AppState>,
    caller: AuthUser,
    path: Result<Path<String>, PathRejection>,
) -> Result<axum::Json<Shown>, ApiError> {
    let user = visible_user(&state, &caller.user, &path_id(path)?).await?;
    Ok(axum::Json(Shown::for_caller(&caller.user, user)))
}

/// The fields staff may change; anything else is named in a field error.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AccountBody {
    is_active: Option<bool>,
    role: Option<String>,
    is_staff: Option<bool>,
    #[serde(flatten)]
    other: Map<String, Value>,
}

#[utoipa::path(
    patch,
    path = "/{id}/",
    tag = "users",
    params(("id" = String, Path, description = "The integer id or the public UUID.")),
    request_body = AccountBody,
    responses(
        (status = 200, description = "The account as changed.", body = UserOut),
        (status = 403, description = "Not staff, or a staff account or `is_staff` without being a superuser.", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
async fn update(
    State(state): State<AppState>,
    caller: AuthUser,
    device: Device,
    path: Result<Path<String>, PathRejection>,
    Json(body): Json<AccountBody>,
) -> Result<axum::Json<UserOut>, ApiError> {
    let raw = path_id(path)?;
    let me = &caller.user;
    if !me.is_staff_member() {
        return Err(ApiError::Forbidden(
            "Only staff can change another account.".to_owned(),
        ));
    }
    let target = visible_user(&state, me, &raw).await?;
    if target.is_staff_member() && target.id != me.id && !me.is_superuser {
        return Err(ApiError::Forbidden(
            "Only a superuser can change a staff account.".to_owned(),
        ));
    }
    if body.is_staff.is_some() && !me.is_superuser {
        return Err(ApiError::Forbidden(
            "Only a superuser can grant or remove staff status.".to_owned(),
        ));
    }
    let mut c = Checks::new();
    for field in body.other.keys() {
        c.add(
            field,
            "Staff can change is_active, role and is_staff here; the owner changes the rest.",
        );
    }
    if target.id == me.id {
        for (field, present) in [
            ("is_active", body.is_active.is_some()),
            ("is_staff", body.is_staff.is_some()),
        ] {
            if present {
                c.add(field, "You cannot change this on your own account.");
            }
        }
    }
    let change = AccountPatch {
        is_active: body.is_active,
        role: c.parse("role", body.role.as_deref(), |r| state.roles.parse(r)),
        is_staff: body.is_staff,
    };
    c.finish()?;
    if change.is_empty() {
        return Ok(axum::Json(target.into()));
    }
    let (user, revoked) = state
        .store
        .update_account(target.id, &change, state.clock.now())
        .await?;
    state.sessions.announce_revoked(&revoked).await;
    state.sessions.user_changed(user.id).await;
    let mut changes = Map::new();
    if let Some(v) = change.is_active {
        changes.insert("is_active".to_owned(), json!(v));
    }
    if let Some(role) = &change.role {
        changes.insert("role".to_owned(), json!(role.as_ref()));
    }
    if let Some(v) = change.is_staff {
        changes.insert("is_staff".to_owned(), json!(v));
    }
    state
        .audit
        .event(AuditEvent::AccountUpdated, &device)
        .actor(me.id)
        .target(user.id)
        .detail(&Value::Object(changes))
        .record()
        .await;
    tracing::info!(user.id = %user.id, by = %me.id, "account updated by staff");
    Ok(axum::Json(user.into()))
}

/// Deletes an account for good (superusers only); its sessions and tokens die with it.
#[utoipa::path(
    delete,
    path = "/{id}/",
    tag = "users",
    params(("id" = String, Path, description = "The integer id or the public UUID.")),
    responses(
        (status = 204, description = "The account is deleted."),
        (status = 403, description = "Not a superuser.", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
async fn remove(
    State(state): State<AppState>,
    caller: AuthUser,
    device: Device,
    path: Result<Path<String>, PathRejection>,
) -> Result<StatusCode, ApiError> {
    let raw = path_id(path)?;
    let me = &caller.user;
    if !me.is_superuser {
        return Err(ApiError::Forbidden(
            "Only a superuser can delete an account.".to_owned(),
        ));
    }
    let target = visible_user(&state, me, &raw).await?;
    delete_account(&state, me, &target, &device).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The superuser's delete, shared with the seed routes that offer it.
pub async fn delete_account(
    state: &AppState,
    me: &User,
    target: &User,
    device: &Device,
) -> Result<(), ApiError> {
    if target.id == me.id {
        return Err(ApiError::BadRequest {
            detail: "Delete your own account with DELETE /api/v1/users/me/.".to_owned(),
            code: "own_account",
        });
    }
    let revoked = state
        .store
        .delete_user(target.id, state.clock.now())
        .await?;
    state.sessions.announce_revoked(&revoked).await;
    state.sessions.user_changed(target.id).await;
    state
        .audit
        .event(AuditEvent::AccountDeleted, device)
        .actor(me.id)
        .target(target.id)
        .detail(&json!({"username": target.username}))
        .record()
        .await;
    tracing::info!(user.id = %target.id, by = %me.id, "account deleted by a superuser");
    Ok(())
}
