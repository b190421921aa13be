//! No account enumeration: whatever could tell whether an address has an account, or why a code
//! failed, answers byte for byte the same.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::support::{MailTest, other_code};
use crate::helpers::TestApp;

/// Status, content type and the exact body bytes of a JSON POST.
async fn raw_post(app: &TestApp, path: &str, body: &Value) -> (StatusCode, String, Vec<u8>) {
    let response = reqwest::Client::new()
        .post(app.url(path))
        .json(body)
        .send()
        .await
        .expect("the server answers");
    let status = response.status();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (
        status,
        content_type,
        response.bytes().await.unwrap().to_vec(),
    )
}

#[tokio::test]
async fn requests_for_active_inactive_and_missing_accounts_answer_alike() {
    let t = MailTest::spawn().await;
    let active = t.verified_user().await.email;
    let (inactive, _) = t.register().await;
    let inactive = inactive["email"].as_str().unwrap().to_owned();
    let missing = "nobody-here@example.com".to_owned();

    for path in [
        "/api/v1/auth/register/resend/",
        "/api/v1/auth/otp/",
        "/api/v1/auth/password/reset/",
    ] {
        let mut answers = Vec::new();
        for email in [&active, &inactive, &missing] {
            answers.push(raw_post(&t.app, path, &json!({"email": email})).await);
        }

        assert_eq!(answers[0].0, StatusCode::ACCEPTED, "{path}");
        assert!(answers[0].1.starts_with("application/json"), "{path}");
        assert_eq!(answers[0], answers[1], "{path}: active vs inactive");
        assert_eq!(answers[0], answers[2], "{path}: active vs missing");
    }
}

#[tokio::test]
async fn wrong_expired_and_unknown_codes_are_refused_alike() {
    let t = MailTest::spawn().await;
    let (inactive, activation) = t.register().await;
    let inactive = inactive["email"].as_str().unwrap().to_owned();
    let user = t.verified_user().await;
    let login = t.login_code(&user.email).await;
    let reset = t.reset_mail(&user.email).await.code();
    let cases = [
        ("/api/v1/auth/register/verify/", inactive, activation.code()),
        ("/api/v1/auth/token/otp/", user.email.clone(), login),
        (
            "/api/v1/auth/password/reset/verify/",
            user.email.clone(),
            reset,
        ),
    ];
    let mut answers = Vec::new();
    for (path, email, code) in &cases {
        let wrong = json!({"email": email, "code": other_code(code)});
        let unknown = json!({"email": "nobody-here@example.com", "code": code});
        answers.push((path, "wrong", raw_post(&t.app, path, &wrong).await));
        answers.push((
            path,
            "unknown email",
            raw_post(&t.app, path, &unknown).await,
        ));
    }

    t.app.clock.advance(Duration::from_mins(11));
    for (path, email, code) in &cases {
        let expired = json!({"email": email, "code": code});
        answers.push((path, "expired", raw_post(&t.app, path, &expired).await));
    }

    let (_, _, first) = &answers[0];
    assert_eq!(first.0, StatusCode::BAD_REQUEST);
    let body: Value = serde_json::from_slice(&first.2).unwrap();
    assert_eq!(body["code"], "invalid_code", "{body:#}");
    for (path, case, answer) in &answers {
        assert_eq!(
            answer,
            first,
            "{path} {case}: {}",
            String::from_utf8_lossy(&answer.2)
        );
    }
}
