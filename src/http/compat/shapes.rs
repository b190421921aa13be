//! The paths two seeds share, one handler each, answering with a superset of both shapes
//! (API.md): `api/login/` (SIN + DRA), `api/register/` (DRA + TMA), `api/token/refresh/`
//! (SIN + TMA). Also DRA's user shape, and a token pair merged into another seed's body.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use gatehouse_domain::User;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::app::AppState;
use crate::auth::{Device, TokenPair};
use crate::http::auth::{
    RefreshBody, SignUp, SignUpNames, login_with_password, refresh_access, sign_up,
};
use crate::http::dto::{TokensOut, no_store};
use crate::http::error::ApiError;
use crate::http::extract::Json;
use crate::http::openapi::schemas::{ErrorBody, OrChallenge, SeedLogin};
use crate::http::validate::Checks;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(login))
        .routes(routes!(register))
        .routes(routes!(token_refresh))
}

/// DRA's user: its field names, `image` (always null: this server stores no upload at this
/// path), and `is_activated` (whether the account may log in).
#[derive(Debug, Serialize, ToSchema)]
pub struct DraUser {
    pub id: i64,
    pub username: String,
    pub email: String,
    #[serde(rename = "phoneNumber")]
    pub phone_number: String,
    pub image: Option<String>,
    #[serde(rename = "dateBirth")]
    pub date_birth: Option<NaiveDate>,
    pub gender: String,
    pub is_activated: bool,
}

impl From<User> for DraUser {
    fn from(u: User) -> Self {
        Self {
            id: u.id.0,
            username: u.username,
            email: u.email,
            phone_number: u.phone_number,
            image: None,
            date_birth: u.date_of_birth,
            gender: u.gender,
            is_activated: u.is_active,
        }
    }
}

/// DRA's names for the fields it spells its own way.
pub const DRA_NAMES: SignUpNames = SignUpNames {
    phone_number: "phoneNumber",
    date_of_birth: "dateBirth",
};

/// Refuses an image sent as a JSON value: uploads are not taken on the seeds' JSON paths.
pub fn refuse_image(c: &mut Checks, image: Option<&Value>) {
    if image.is_some_and(|v| !v.is_null() && v.as_str() != Some("")) {
        c.add(
            "image",
            "Images are not accepted here; send the other fields as JSON.",
        );
    }
}

/// A token pair merged into a seed's own body (`extra`'s keys win), never cached.
pub fn with_tokens(pair: &TokenPair, extra: Value) -> Response {
    let mut body = json!({
        "access": pair.access,
        "refresh": pair.refresh,
        "token_type": "Bearer",
        "expires_in": pair.expires_in,
    });
    if let (Some(body), Value::Object(extra)) = (body.as_object_mut(), extra) {
        body.extend(extra);
    }
    no_store(axum::Json(body))
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(as = SeedLoginBody)]
pub struct LoginBody {
    username: Option<String>,
    email: Option<String>,
    login: Option<String>,
    #[schema(value_type = String, required = true)]
    password: Option<String>,
}

/// SIN logs in by username, DRA by email: either works. The answer has SIN's top-level pair and
/// DRA's `{detail, data, token}`.
#[utoipa::path(
    post,
    path = "/api/login/",
    tag = "seed: SIN",
    request_body = LoginBody,
    responses(
        (status = 200, description = "SIN's pair at the top, DRA's `{detail, data, token}`.", body = OrChallenge<SeedLogin>),
        (status = 401, description = "Bad credentials: `invalid_credentials`.", body = ErrorBody),
    )
)]
async fn login(
    State(state): State<AppState>,
    device: Device,
    Json(body): Json<LoginBody>,
) -> Result<Response, ApiError> {
    let login = body
        .username
        .as_deref()
        .or(body.email.as_deref())
        .or(body.login.as_deref());
    let (pair, user) = login_with_password(
        &state,
        ("username", login),
        body.password.as_deref(),
        device,
    )
    .await?;
    let extra = json!({
        "detail": "Logged in Successfully",
        "data": DraUser::from(user),
        "token": {"access": pair.access, "refresh": pair.refresh},
    });
    Ok(with_tokens(&pair, extra))
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(as = SeedRegisterBody)]
pub struct RegisterBody {
    #[schema(value_type = String, required = true)]
    username: Option<String>,
    #[schema(value_type = String, required = true, format = Email)]
    email: Option<String>,
    #[schema(value_type = String, required = true)]
    password: Option<String>,
    #[serde(rename = "phoneNumber")]
    phone_number: Option<String>,
    #[serde(rename = "dateBirth")]
    date_birth: Option<String>,
    gender: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
    image: Option<Value>,
}

/// DRA's and TMA's sign-up (TMA sends only username, email, password); DRA's user back, which
/// also carries TMA's `{id, username, email}`.
#[utoipa::path(
    post,
    path = "/api/register/",
    tag = "seed: DRA",
    request_body = RegisterBody,
    responses(
        (status = 201, description = "DRA's user, which carries TMA's `{id, username, email}`.", body = DraUser),
    )
)]
async fn register(
    State(state): State<AppState>,
    Json(body): Json<RegisterBody>,
) -> Result<impl IntoResponse, ApiError> {
    let mut c = Checks::new();
    refuse_image(&mut c, body.image.as_ref());
    let raw = SignUp {
        username: body.username.as_deref(),
        email: body.email.as_deref(),
        password: body.password.as_deref(),
        first_name: body.first_name.as_deref(),
        last_name: body.last_name.as_deref(),
        phone_number: body.phone_number.as_deref(),
        date_of_birth: body.date_birth.as_deref(),
        gender: body.gender.as_deref(),
        role: None,
    };
    let input = sign_up(&state, c, &raw, &DRA_NAMES)?;
    let user = crate::accounts::register::register(&state, input).await?;
    Ok((StatusCode::CREATED, axum::Json(DraUser::from(user))))
}

/// SIN's and TMA's `api/token/refresh/`: a new access token, the same refresh token.
#[utoipa::path(
    post,
    path = "/api/token/refresh/",
    tag = "seed: SIN",
    request_body = RefreshBody,
    responses(
        (status = 200, description = "A new access token; the same refresh token (this seed did not rotate).", body = TokensOut),
        (status = 401, description = "An invalid, expired, ended or reused refresh token, or an inactive user.", body = ErrorBody),
    )
)]
async fn token_refresh(
    state: State<AppState>,
    device: Device,
    body: Json<RefreshBody>,
) -> Result<TokensOut, ApiError> {
    refresh_access(state, device, body).await
}
