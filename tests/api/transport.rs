//! Transport hygiene: security headers on every answer, the reset page's own stricter policy
//! kept, token answers never cached, and CORS exactly as configured.

use reqwest::{Method, StatusCode};

use crate::helpers::TestApp;

#[tokio::test]
async fn every_answer_carries_the_security_headers_and_pages_keep_their_own_policy() {
    let app = TestApp::spawn().await;
    let user = app.register_and_login().await;

    let json = app.me(&user.access).await;
    let missing = app.get("/no/such/path/", None).await;
    let page = reqwest::get(app.url("/api/reset-password/?token=x"))
        .await
        .unwrap();
    let tokens = app.login(&user.username, &user.password).await;

    for answer in [&json, &missing] {
        assert_eq!(answer.header("x-content-type-options"), Some("nosniff"));
        assert_eq!(answer.header("x-frame-options"), Some("DENY"));
        assert_eq!(answer.header("referrer-policy"), Some("no-referrer"));
    }
    let csp = page.headers()["content-security-policy"].to_str().unwrap();
    assert!(
        csp.starts_with("default-src 'none'"),
        "the page's own policy: {csp}"
    );
    assert_eq!(tokens.header("cache-control"), Some("no-store"));
}

async fn preflight(app: &TestApp, origin: &str) -> reqwest::Response {
    reqwest::Client::new()
        .request(Method::OPTIONS, app.url("/api/v1/auth/token/"))
        .header("origin", origin)
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "content-type")
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn without_configured_origins_there_are_no_cors_headers() {
    let app = TestApp::spawn().await;
    let answer = preflight(&app, "https://app.example.com").await;
    assert!(
        answer
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
}

#[tokio::test]
async fn configured_origins_and_only_they_are_allowed() {
    let app = TestApp::spawn_with(|c| {
        c.cors_origins = vec!["https://app.example.com".to_owned()];
        c.cors_credentials = true;
    })
    .await;

    let allowed = preflight(&app, "https://app.example.com").await;
    let other = preflight(&app, "https://evil.example.net").await;
    let actual = reqwest::Client::new()
        .get(app.url("/healthz"))
        .header("origin", "https://app.example.com")
        .send()
        .await
        .unwrap();

    assert_eq!(allowed.status(), StatusCode::OK);
    let headers = allowed.headers();
    assert_eq!(
        headers["access-control-allow-origin"],
        "https://app.example.com"
    );
    assert_eq!(headers["access-control-allow-credentials"], "true");
    assert!(
        headers["access-control-allow-methods"]
            .to_str()
            .unwrap()
            .contains("POST")
    );
    assert!(other.headers().get("access-control-allow-origin").is_none());
    assert_eq!(
        actual.headers()["access-control-allow-origin"],
        "https://app.example.com"
    );
    assert!(
        actual.headers()["access-control-expose-headers"]
            .to_str()
            .unwrap()
            .contains("retry-after")
    );
}
