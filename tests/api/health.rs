//! Service endpoints: liveness, readiness, and the JWKS that verifies access tokens.

use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, claims};

#[tokio::test]
async fn healthz_answers_ok_with_and_without_the_trailing_slash() {
    let app = TestApp::spawn().await;

    let answer = app.healthz().await;
    let without_slash = app.get("/healthz", None).await;

    assert_eq!(answer.status, StatusCode::OK, "{answer:#?}");
    assert_eq!(answer.body, json!({"status": "ok"}));
    assert_eq!(without_slash.status, StatusCode::OK, "{without_slash:#?}");
    assert_eq!(without_slash.body, answer.body);
}

#[tokio::test]
async fn readyz_reports_the_database_reachable() {
    let app = TestApp::spawn().await;

    let answer = app.readyz().await;

    assert_eq!(answer.status, StatusCode::OK, "{answer:#?}");
    assert_eq!(answer.body, json!({"status": "ok", "database": "ok"}));
}

#[tokio::test]
async fn jwks_lists_one_ed25519_signing_key() {
    let app = TestApp::spawn().await;

    let answer = app.jwks().await;

    assert_eq!(answer.status, StatusCode::OK, "{answer:#?}");
    let keys = answer.body["keys"].as_array().expect("a keys array");
    assert_eq!(keys.len(), 1, "{answer:#?}");
    let key = &keys[0];
    assert_eq!(key["kty"], "OKP");
    assert_eq!(key["crv"], "Ed25519");
    assert_eq!(key["alg"], "EdDSA");
    assert_eq!(key["use"], "sig");
    assert!(
        key["kid"].as_str().is_some_and(|k| !k.is_empty()),
        "{key:#}"
    );
    assert!(
        key.get("d").is_none(),
        "the JWKS must not publish the private key: {key:#}"
    );
    let x = key["x"].as_str().expect("x");
    assert_eq!(x.len(), 43, "x is 32 bytes of unpadded base64url: {x}");
}

#[tokio::test]
async fn an_access_token_names_a_jwks_key_and_verifies_with_it() {
    let app = TestApp::spawn().await;
    let user = app.register_and_login().await;
    let jwks = app.jwks().await.body;

    let header = jsonwebtoken::decode_header(&user.access).expect("a JWT header");

    assert_eq!(header.alg, Algorithm::EdDSA);
    let kid = header.kid.expect("the header names its key");
    let key = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kid"] == kid.as_str())
        .unwrap_or_else(|| panic!("kid {kid} is not in the JWKS {jwks:#}"))
        .clone();
    let mut validation = Validation::new(Algorithm::EdDSA);
    validation.set_issuer(&["gatehouse"]);
    validation.set_required_spec_claims(&["exp", "iat", "iss", "sub"]);
    let from_x = DecodingKey::from_ed_components(key["x"].as_str().unwrap()).unwrap();
    let verified = jsonwebtoken::decode::<Value>(&user.access, &from_x, &validation)
        .expect("the token verifies with the published x");
    let jwk: Jwk = serde_json::from_value(key).expect("a valid JWK");
    let from_jwk = DecodingKey::from_jwk(&jwk).unwrap();
    jsonwebtoken::decode::<Value>(&user.access, &from_jwk, &validation).expect("and with the JWK");
    assert_eq!(verified.claims, claims(&user.access));
}

#[tokio::test]
async fn access_token_claims_describe_the_user_and_session() {
    let app = TestApp::spawn().await;
    let user = app.register_and_login().await;
    let me = app.me(&user.access).await.body;
    let sessions = app.sessions(&user.access).await.body;

    let claims = claims(&user.access);

    assert_eq!(claims["sub"], me["public_id"], "{claims:#}");
    assert_eq!(claims["user_id"], user.id);
    assert_eq!(claims["token_type"], "access");
    assert_eq!(claims["role"], "client");
    assert_eq!(claims["iss"], "gatehouse");
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        300
    );
    assert_eq!(
        claims["sid"], sessions[0]["id"],
        "sid is the session id: {sessions:#}"
    );
    assert!(uuid::Uuid::parse_str(claims["jti"].as_str().unwrap()).is_ok());
}
