//! `/openapi.json`, Swagger UI at `/swagger/` and ReDoc at `/redoc/`, every asset from inside
//! the binary: the Swagger UI files come with `utoipa-swagger-ui`'s `vendored` feature, ReDoc's
//! bundle from `assets/redoc/` (the CDN page other crates serve is blank offline). These are
//! pages about the API, not part of it, so they are not in the document.

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use utoipa::openapi::OpenApi;
use utoipa_swagger_ui::SwaggerUi;

const REDOC_JS: &str = include_str!("../../../assets/redoc/redoc.standalone.js");

/// Telemetry off: ReDoc 3 would otherwise report usage to Redocly.
const REDOC_PAGE: &str = "<!doctype html><html><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>gatehouse API</title>\
</head><body><redoc spec-url=\"/openapi.json\" disable-telemetry=\"true\"></redoc>\
<script src=\"/redoc/redoc.standalone.js\"></script></body></html>";

/// The document and the pages that show it.
pub fn router<S: Clone + Send + Sync + 'static>(doc: OpenApi) -> Router<S> {
    #[expect(
        clippy::disallowed_methods,
        reason = "the ReDoc page and its script are not API operations"
    )]
    let redoc = Router::new()
        .route("/redoc/", get(|| async { Html(REDOC_PAGE) }))
        .route("/redoc/redoc.standalone.js", get(redoc_js));
    Router::from(SwaggerUi::new("/swagger").url("/openapi.json", doc)).merge(redoc)
}

async fn redoc_js() -> Response {
    let mut response = REDOC_JS.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/javascript; charset=utf-8"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=86400"),
    );
    response
}
