//! Assertions on the wire format every area shares.

use reqwest::StatusCode;
use serde_json::Value;

use super::Answer;

/// A non-validation error in DRF's shape: `{"detail": "...", "code": code}`; 401s carry
/// `WWW-Authenticate: Bearer …`.
pub fn assert_drf_error(answer: &Answer, status: StatusCode, code: &str) {
    assert_eq!(answer.status, status, "{answer:#?}");
    assert_eq!(answer.body["code"], code, "{answer:#?}");
    let detail = answer.body["detail"].as_str().unwrap_or_default();
    assert!(!detail.is_empty(), "no detail message: {answer:#?}");
    if status == StatusCode::UNAUTHORIZED {
        let challenge = answer.header("www-authenticate").unwrap_or_default();
        assert!(
            challenge.starts_with("Bearer"),
            "401 without a Bearer challenge: {answer:#?}"
        );
    }
}

pub fn assert_unauthorized(answer: &Answer, code: &str) {
    assert_drf_error(answer, StatusCode::UNAUTHORIZED, code);
}

/// A 400 in DRF's validation shape naming `field` with at least one message; returns them.
pub fn assert_field_error(answer: &Answer, field: &str) -> Vec<String> {
    assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{answer:#?}");
    let messages = answer.body[field]
        .as_array()
        .unwrap_or_else(|| panic!("no {field:?} errors: {answer:#?}"));
    assert!(!messages.is_empty(), "empty {field:?} errors: {answer:#?}");
    assert!(
        answer.body.get("detail").is_none(),
        "validation errors have no detail: {answer:#?}"
    );
    messages
        .iter()
        .map(|m| m.as_str().expect("messages are strings").to_owned())
        .collect()
}

/// A 200 token answer: an EdDSA JWT access token, an opaque refresh token, no caching.
pub fn assert_token_pair(answer: &Answer) {
    assert_eq!(answer.status, StatusCode::OK, "{answer:#?}");
    assert_eq!(answer.body["token_type"], "Bearer", "{answer:#?}");
    assert_eq!(answer.body["expires_in"], 300, "{answer:#?}");
    assert_eq!(
        answer.str("access").split('.').count(),
        3,
        "access is a JWT: {answer:#?}"
    );
    assert!(answer.str("refresh").starts_with("grt1."), "{answer:#?}");
    assert_eq!(
        answer.header("cache-control"),
        Some("no-store"),
        "{answer:#?}"
    );
}

/// Every field of the user object, with its JSON type, and nothing secret.
pub fn assert_user_shape(user: &Value) {
    assert!(user["id"].is_i64(), "id is an integer: {user:#}");
    for key in [
        "public_id",
        "username",
        "email",
        "first_name",
        "last_name",
        "phone_number",
        "gender",
        "role",
        "date_joined",
    ] {
        assert!(user[key].is_string(), "{key} is a string: {user:#}");
    }
    for key in ["is_active", "is_email_verified", "is_staff", "is_superuser"] {
        assert!(user[key].is_boolean(), "{key} is a boolean: {user:#}");
    }
    for key in ["date_of_birth", "last_login"] {
        assert!(
            user[key].is_string() || user[key].is_null(),
            "{key} is a string or null: {user:#}"
        );
    }
    assert!(
        uuid::Uuid::parse_str(user["public_id"].as_str().unwrap()).is_ok(),
        "{user:#}"
    );
    for secret in ["password", "password_hash"] {
        assert!(
            user.get(secret).is_none(),
            "the user object shows {secret}: {user:#}"
        );
    }
}
