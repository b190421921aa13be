//! The OpenAPI document against the server that publishes it.
//!
//! Completeness has two halves. A route without an operation cannot be written: every route is
//! registered with `utoipa_axum::routes!`, which takes the path and method from the handler's
//! `#[utoipa::path]` and adds route and operation together, and `clippy.toml` forbids the bare
//! `route` that would bypass it (CI runs clippy with `-D warnings`). An operation without a
//! route is what these tests catch: every documented method and path must reach a handler.

use reqwest::Method;
use serde_json::Value;

use crate::helpers::TestApp;

async fn document(app: &TestApp) -> Value {
    let answer = app.get("/openapi.json", None).await;
    assert_eq!(answer.status, 200);
    answer.body
}

/// Every (method, path) in the document, path parameters filled with a plausible value.
fn operations(doc: &Value) -> Vec<(Method, String)> {
    let mut found = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        let concrete = path
            .split('/')
            .map(|segment| {
                if segment.starts_with('{') {
                    "1"
                } else {
                    segment
                }
            })
            .collect::<Vec<_>>()
            .join("/");
        for method in ["get", "put", "post", "delete", "patch"] {
            if item.get(method).is_some() {
                let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
                found.push((method, concrete.clone()));
            }
        }
    }
    found
}

#[tokio::test]
async fn every_documented_operation_reaches_a_handler() {
    let app = TestApp::spawn_with(|c| c.rate_limits = gatehouse::config::Switch::Off).await;
    let doc = document(&app).await;
    let operations = operations(&doc);
    assert!(operations.len() > 80, "{} operations", operations.len());
    for (method, path) in operations {
        // Anonymous and with an empty body: protected routes answer 401, others 400 or their
        // answer; the router's fallbacks would answer 404 or 405.
        let answer = app.send(method.clone(), &path, None, None).await;
        assert!(
            answer.status != 404 && answer.status != 405,
            "{method} {path} is documented but answered {}: {}",
            answer.status,
            answer.body
        );
    }
}

#[tokio::test]
async fn the_document_lists_canonical_and_seed_routes_with_their_security() {
    let app = TestApp::spawn().await;
    let doc = document(&app).await;
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = &doc["paths"];
    for (path, method) in [
        ("/api/v1/auth/register/", "post"),
        ("/api/v1/auth/token/", "post"),
        ("/api/v1/users/{id}/", "patch"),
        ("/api/v1/admin/jobs/{id}/retry/", "post"),
        ("/api/login/", "post"),
        ("/auth/api/register/verify-otp/{otp}/", "get"),
        ("/api/v1/auth/jwt/create/", "post"),
        ("/api/user/", "put"),
        ("/api/token/", "post"),
        ("/.well-known/jwks.json", "get"),
    ] {
        assert!(paths[path][method].is_object(), "{method} {path} missing");
    }
    let me = &paths["/api/v1/users/me/"]["get"];
    assert_eq!(me["security"][0]["bearer"], Value::Array(vec![]));
    assert_eq!(
        me["responses"]["401"]["$ref"],
        "#/components/responses/Unauthorized"
    );
    let login = &paths["/api/v1/auth/token/"]["post"];
    assert!(login.get("security").is_none());
    assert_eq!(
        login["responses"]["400"]["$ref"],
        "#/components/responses/BadRequest"
    );
    let scheme = &doc["components"]["securitySchemes"]["bearer"];
    assert_eq!(scheme["scheme"], "bearer");
}

#[tokio::test]
async fn the_documentation_pages_are_served_from_the_binary() {
    let app = TestApp::spawn().await;
    for path in [
        "/swagger/",
        "/swagger/swagger-ui-bundle.js",
        "/swagger/swagger-initializer.js",
        "/redoc/",
        "/redoc/redoc.standalone.js",
    ] {
        let answer = app.get(path, None).await;
        assert_eq!(answer.status, 200, "{path}");
    }
    let initializer = app.get("/swagger/swagger-initializer.js", None).await;
    assert!(initializer.body.as_str().unwrap().contains("/openapi.json"));
    let redoc = app.get("/redoc/", None).await;
    let page = redoc.body.as_str().unwrap();
    assert!(page.contains("spec-url=\"/openapi.json\"") && !page.contains("https://"));
}

#[tokio::test]
async fn the_cli_prints_the_served_document() {
    let app = TestApp::spawn().await;
    let served = document(&app).await;
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_gatehouse"))
        .arg("openapi")
        .env("GATEHOUSE_DATA_DIR", app.data_dir())
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let printed: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(printed, served);
}
