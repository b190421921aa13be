//! Access tokens that must not authenticate: forged, altered, expired, or of the wrong kind.
//! Each is a 401 `token_not_valid`, never a 500.

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, TestUser, assert_unauthorized, claims};

/// PKCS#8 v1 prefix of an Ed25519 private key; the 32-byte seed follows.
const PKCS8_ED25519_PREFIX: [u8; 16] = [
    0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
];

fn kid(token: &str) -> String {
    jsonwebtoken::decode_header(token).unwrap().kid.unwrap()
}

fn b64(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(value).unwrap())
}

/// Asserts the token is refused by every endpoint that reads an access token.
async fn assert_refused(app: &TestApp, token: &str, why: &str) {
    for answer in [
        app.me(token).await,
        app.verify(token).await,
        app.sessions(token).await,
    ] {
        assert_eq!(
            answer.status,
            StatusCode::UNAUTHORIZED,
            "{why}: {answer:#?}"
        );
        assert_unauthorized(&answer, "token_not_valid");
    }
}

async fn setup() -> (TestApp, TestUser) {
    let app = TestApp::spawn().await;
    let user = app.register_and_login().await;
    (app, user)
}

#[tokio::test]
async fn an_alg_none_token_is_refused() {
    let (app, user) = setup().await;
    let payload = b64(&claims(&user.access));

    for alg in ["none", "None", "NONE"] {
        let header = b64(&json!({"alg": alg, "typ": "JWT", "kid": kid(&user.access)}));
        assert_refused(&app, &format!("{header}.{payload}."), alg).await;
        assert_refused(&app, &format!("{header}.{payload}"), alg).await;
    }
}

#[tokio::test]
async fn an_hs256_token_forged_with_a_guessed_secret_is_refused() {
    let (app, user) = setup().await;
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some(kid(&user.access));

    for secret in ["secret", "gatehouse", "", "django-insecure-secret-key"] {
        let key = EncodingKey::from_secret(secret.as_bytes());
        let forged = jsonwebtoken::encode(&header, &claims(&user.access), &key).unwrap();
        assert_refused(&app, &forged, secret).await;
    }
}

#[tokio::test]
async fn a_token_signed_by_another_ed25519_key_is_refused() {
    let (app, user) = setup().await;
    let mut der = PKCS8_ED25519_PREFIX.to_vec();
    der.extend_from_slice(&[42; 32]);
    let key = EncodingKey::from_ed_der(&der);
    let body = claims(&user.access);

    for kid in [
        Some(kid(&user.access)),
        Some("attacker-key".to_owned()),
        None,
    ] {
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid.clone_from(&kid);
        let forged = jsonwebtoken::encode(&header, &body, &key).unwrap();
        assert_refused(&app, &forged, &format!("{kid:?}")).await;
    }
}

#[tokio::test]
async fn a_token_with_altered_claims_is_refused() {
    let (app, user) = setup().await;
    let other = app.register_and_login().await;
    let parts: Vec<&str> = user.access.split('.').collect();
    let mut altered = Vec::new();
    for (key, value) in [
        ("user_id", json!(other.id)),
        ("sub", claims(&other.access)["sub"].clone()),
        ("role", json!("employee")),
        (
            "exp",
            json!(claims(&user.access)["exp"].as_i64().unwrap() + 86_400),
        ),
    ] {
        let mut body = claims(&user.access);
        body[key] = value;
        altered.push((key, format!("{}.{}.{}", parts[0], b64(&body), parts[2])));
    }

    for (key, token) in altered {
        assert_refused(&app, &token, key).await;
    }
    assert_eq!(app.me(&other.access).await.body["id"], other.id);
}

#[tokio::test]
async fn an_expired_access_token_is_refused() {
    let (app, user) = setup().await;
    app.clock.advance(Duration::from_secs(301));

    assert_refused(&app, &user.access, "expired").await;

    let refreshed = app.refresh(&user.refresh).await;
    assert_eq!(
        refreshed.status,
        StatusCode::OK,
        "the refresh token outlives the access token"
    );
    assert_eq!(app.me(refreshed.str("access")).await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_refresh_token_is_not_an_access_token() {
    let (app, user) = setup().await;

    assert_refused(&app, &user.refresh, "refresh as bearer").await;
}

#[tokio::test]
async fn an_access_token_is_not_a_refresh_token() {
    let (app, user) = setup().await;

    let answer = app.refresh(&user.access).await;

    assert_unauthorized(&answer, "token_not_valid");
    assert_eq!(
        app.me(&user.access).await.status,
        StatusCode::OK,
        "nothing was revoked"
    );
}

#[tokio::test]
async fn a_token_from_another_server_is_refused() {
    let (app, _) = setup().await;
    let elsewhere = TestApp::spawn().await;
    let stranger = elsewhere.register_and_login().await;

    assert_refused(&app, &stranger.access, "another server's key").await;
}
