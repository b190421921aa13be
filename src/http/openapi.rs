//! The OpenAPI 3.1 document, generated from the code, and the pages that show it.
//!
//! Every route is registered with `utoipa_axum::routes!`, which adds the handler to the axum
//! router and its `#[utoipa::path]` operation to the document in the same call (`http::api`):
//! a route cannot be served without being documented, and `clippy.toml` forbids the bare
//! `Router::route` that would bypass it. This module adds what the handlers share: the info,
//! the bearer scheme, and the error responses operations can give in DRF's shapes (`errors`).
//!
//! Served at `/openapi.json`, `/swagger/` (Swagger UI, vendored by `utoipa-swagger-ui`) and
//! `/redoc/` (ReDoc, vendored under `assets/redoc/`), all from the binary with no network;
//! printed by `gatehouse openapi`.

mod errors;
mod pages;
pub mod params;
pub mod schemas;

use utoipa::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};

pub use pages::router;

/// The name of the security scheme protected operations require.
pub const BEARER: &str = "bearer";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "gatehouse",
        description = "Account and authentication API. Errors use DRF's shapes: a 400 for bad \
                       fields is `{field: [message]}`, every other error `{detail, code}`. \
                       Every path also answers without its trailing slash."
    ),
    components(schemas(schemas::ErrorBody, schemas::FieldErrors, schemas::InternalErrorBody)),
    tags(
        (name = "auth", description = "Accounts and tokens: /api/v1/auth/"),
        (name = "users", description = "Users: /api/v1/users/"),
        (name = "admin", description = "Staff administration: /api/v1/admin/"),
        (name = "service", description = "Health, readiness, keys"),
        (name = "seed: SIN", description = "Seed 000 (Sindion) compatible routes"),
        (name = "seed: TLR", description = "Seed 001 (tailor_api) compatible routes"),
        (name = "seed: LIT", description = "Seed 002 (LIT_Test_Backend, djoser) compatible routes"),
        (name = "seed: DRA", description = "Seed 003 (Django REST Authentication) compatible routes"),
        (name = "seed: TMA", description = "Seed 004 (Task-Management-API) compatible routes"),
    )
)]
struct Base;

/// The whole document, as `/openapi.json` serves it.
pub fn document() -> utoipa::openapi::OpenApi {
    complete(super::api().into_openapi())
}

/// The router's operations with the shared parts added.
pub fn complete(operations: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    let mut doc = Base::openapi();
    doc.merge(operations);
    doc.components
        .get_or_insert_with(utoipa::openapi::Components::new)
        .add_security_scheme(
            BEARER,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "An access token from a login; `JWT <token>` is accepted too.",
                    ))
                    .build(),
            ),
        );
    errors::add(&mut doc);
    name_operations(&mut doc);
    doc
}

/// Gives each operation a unique id from its method and path (`patch_api_v1_users_id`): the
/// handlers' names repeat across modules (`update`, `me`), and ids must not.
fn name_operations(doc: &mut utoipa::openapi::OpenApi) {
    for (path, item) in &mut doc.paths.paths {
        let slug: String = path
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|part| !part.is_empty())
            .collect::<Vec<_>>()
            .join("_");
        let operations = [
            ("get", &mut item.get),
            ("put", &mut item.put),
            ("post", &mut item.post),
            ("delete", &mut item.delete),
            ("patch", &mut item.patch),
        ];
        for (method, operation) in operations {
            if let Some(operation) = operation {
                operation.operation_id = Some(format!("{method}_{slug}"));
            }
        }
    }
}
