//! The seeds' user-directory routes on top of the member directory (`directory.rs`), with its
//! visibility rules: SIN's `api/employees/`, `api/clients/` (and `api/client/`, the path its code
//! served), `api/user/<pk>/`, `api/user/delete/<pk>/`; TLR's `auth/api/users/list/` and
//! `auth/api/users/detail/<id>`.
//!
//! The seeds served these to anyone, with email addresses; here a caller must be signed in,
//! members never see staff or inactive accounts, and an email address is shown only to staff and
//! to its owner. SIN's lists were bare arrays, so they stay arrays: one page of them, with the
//! total in `X-Total-Count` and the next page in a `Link` header.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use gatehouse_domain::User;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::app::AppState;
use crate::auth::Device;
use crate::http::directory::{delete_account, directory_page, directory_query, visible_user};
use crate::http::error::ApiError;
use crate::http::extract::AuthUser;
use crate::http::openapi::params::{PageParams, RoleParams, SearchParams};
use crate::http::openapi::schemas::ErrorBody;
use crate::http::paging::{Page, Params};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(employees))
        .routes(routes!(clients))
        .routes(routes!(client))
        .routes(routes!(sin_detail))
        .routes(routes!(sin_delete))
        .routes(routes!(tlr_list))
        .routes(routes!(tlr_detail))
}

/// SIN's user shape: `user_type` is the role, or `admin` for staff.
#[derive(Debug, Serialize, ToSchema)]
struct SinUser {
    id: i64,
    name: String,
    username: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<String>,
    user_type: String,
}

impl SinUser {
    fn new(caller: &User, u: User) -> Self {
        let email = (caller.is_staff_member() || caller.id == u.id).then(|| u.email.clone());
        let user_type = if u.is_staff_member() {
            "admin".to_owned()
        } else {
            u.role.as_ref().to_owned()
        };
        Self {
            id: u.id.0,
            name: format!("{} {}", u.first_name, u.last_name)
                .trim()
                .to_owned(),
            username: u.username,
            email,
            user_type,
        }
    }
}

/// A page as a bare array, with the total and the next page in headers.
fn bare<T: Serialize>(page: Page<T>) -> (HeaderMap, axum::Json<Vec<T>>) {
    let mut headers = HeaderMap::new();
    headers.insert("x-total-count", HeaderValue::from(page.count));
    let next = page
        .next
        .and_then(|n| HeaderValue::from_str(&format!("<{n}>; rel=\"next\"")).ok());
    if let Some(next) = next {
        headers.insert(header::LINK, next);
    }
    (headers, axum::Json(page.results))
}

async fn role_list(
    state: &AppState,
    caller: &User,
    params: &Params,
    role: &str,
) -> Result<(HeaderMap, axum::Json<Vec<SinUser>>), ApiError> {
    let page = directory_page(state, caller, params, Some(role)).await?;
    Ok(bare(page.map(|u| SinUser::new(caller, u))))
}

#[utoipa::path(
    get,
    path = "/api/employees/",
    tag = "seed: SIN",
    params(SearchParams, PageParams),
    responses(
        (status = 200, description = "One page of users as a bare array.", body = Vec<SinUser>, headers(("x-total-count" = u64, description = "Matching users in all pages"), ("link" = String, description = "`<next page>; rel=\"next\"` when there is one"))),
    ),
    security(("bearer" = []))
)]
async fn employees(
    State(state): State<AppState>,
    caller: AuthUser,
    params: Params,
) -> Result<(HeaderMap, axum::Json<Vec<SinUser>>), ApiError> {
    role_list(&state, &caller.user, &params, "employee").await
}

#[utoipa::path(
    get,
    path = "/api/clients/",
    tag = "seed: SIN",
    params(SearchParams, PageParams),
    responses(
        (status = 200, description = "One page of users as a bare array.", body = Vec<SinUser>, headers(("x-total-count" = u64, description = "Matching users in all pages"), ("link" = String, description = "`<next page>; rel=\"next\"` when there is one"))),
    ),
    security(("bearer" = []))
)]
async fn clients(
    State(state): State<AppState>,
    caller: AuthUser,
    params: Params,
) -> Result<(HeaderMap, axum::Json<Vec<SinUser>>), ApiError> {
    role_list(&state, &caller.user, &params, "client").await
}

fn path_id(path: Result<Path<String>, PathRejection>) -> Result<String, ApiError> {
    path.map(|Path(raw)| raw).map_err(|_| ApiError::NotFound)
}

#[utoipa::path(
    get,
    path = "/api/user/{pk}/",
    tag = "seed: SIN",
    params(("pk" = String, Path, description = "The user's integer id (or public UUID).")),
    responses(
        (status = 200, description = "The user; the email only for staff and oneself.", body = SinUser),
    ),
    security(("bearer" = []))
)]
async fn sin_detail(
    State(state): State<AppState>,
    caller: AuthUser,
    path: Result<Path<String>, PathRejection>,
) -> Result<axum::Json<SinUser>, ApiError> {
    let user = visible_user(&state, &caller.user, &path_id(path)?).await?;
    Ok(axum::Json(SinUser::new(&caller.user, user)))
}

/// Deletes for real (SIN's code only pretended to) and answers with the deleted user, as it did.
#[utoipa::path(
    delete,
    path = "/api/user/delete/{pk}/",
    tag = "seed: SIN",
    params(("pk" = String, Path, description = "The user's integer id (or public UUID).")),
    responses(
        (status = 200, description = "The deleted user.", body = SinUser),
        (status = 403, description = "Not a superuser.", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
async fn sin_delete(
    State(state): State<AppState>,
    caller: AuthUser,
    device: Device,
    path: Result<Path<String>, PathRejection>,
) -> Result<axum::Json<SinUser>, ApiError> {
    let raw = path_id(path)?;
    if !caller.user.is_superuser {
        return Err(ApiError::Forbidden(
            "Only a superuser can delete an account.".to_owned(),
        ));
    }
    let target = visible_user(&state, &caller.user, &raw).await?;
    delete_account(&state, &caller.user, &target, &device).await?;
    Ok(axum::Json(SinUser::new(&caller.user, target)))
}

/// TLR's public profile: no contact details. It had no avatars or followers yet, so `image` is
/// null and the follow lists are empty.
#[derive(Debug, Serialize, ToSchema)]
struct TlrUser {
    id: Uuid,
    username: String,
    image: Option<String>,
    followers: Vec<Uuid>,
    following: Vec<Uuid>,
}

impl From<User> for TlrUser {
    fn from(u: User) -> Self {
        Self {
            id: u.public_id.0,
            username: u.username,
            image: None,
            followers: Vec::new(),
            following: Vec::new(),
        }
    }
}

#[utoipa::path(
    get,
    path = "/auth/api/users/list/",
    tag = "seed: TLR",
    params(RoleParams, SearchParams, PageParams),
    responses(
        (status = 200, description = "One page of public profiles as a bare array.", body = Vec<TlrUser>, headers(("x-total-count" = u64, description = "Matching users in all pages"), ("link" = String, description = "`<next page>; rel=\"next\"` when there is one"))),
    ),
    security(("bearer" = []))
)]
async fn tlr_list(
    State(state): State<AppState>,
    caller: AuthUser,
    params: Params,
) -> Result<(HeaderMap, axum::Json<Vec<TlrUser>>), ApiError> {
    let (mut query, page) = directory_query(&state, &caller.user, &params, params.get("role"))?;
    // TLR's list never showed staff, whoever asked.
    query.include_staff = false;
    let found = state.store.list_users(&query).await?;
    let page = Page::new(&params, page, found.total, found.users)?;
    Ok(bare(page.map(TlrUser::from)))
}

#[utoipa::path(
    get,
    path = "/auth/api/users/detail/{id}/",
    tag = "seed: TLR",
    params(("id" = String, Path, description = "The public UUID (or integer id).")),
    responses((status = 200, description = "The public profile.", body = TlrUser)),
    security(("bearer" = []))
)]
async fn tlr_detail(
    State(state): State<AppState>,
    caller: AuthUser,
    path: Result<Path<String>, PathRejection>,
) -> Result<axum::Json<TlrUser>, ApiError> {
    let user = visible_user(&state, &caller.user, &path_id(path)?).await?;
    Ok(axum::Json(user.into()))
}

/// `api/client/`, the path SIN's code served for `api/clients/`.
#[utoipa::path(
    get,
    path = "/api/client/",
    tag = "seed: SIN",
    params(SearchParams, PageParams),
    responses(
        (status = 200, description = "One page of users as a bare array.", body = Vec<SinUser>, headers(("x-total-count" = u64, description = "Matching users in all pages"), ("link" = String, description = "`<next page>; rel=\"next\"` when there is one"))),
    ),
    security(("bearer" = []))
)]
async fn client(
    state: State<AppState>,
    caller: AuthUser,
    params: Params,
) -> Result<(HeaderMap, axum::Json<Vec<SinUser>>), ApiError> {
    clients(state, caller, params).await
}
