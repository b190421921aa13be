//! The seeds' "send me something" and code routes answer an existing, an inactive and a missing
//! address alike (the seeds answered 404 "not registered" and similar): same status, same body —
//! or, for DRA's `email_request`, whose token is random each time, the same keys.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::email_flows::support::MailTest;
use crate::helpers::Answer;

/// The JSON object's keys, for answers that carry a fresh random value.
fn keys(answer: &Answer) -> Vec<String> {
    answer
        .body
        .as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn seed_email_routes_answer_every_address_alike() {
    let t = MailTest::spawn().await;
    let active = t.verified_user().await.email;
    let (inactive, _) = t.register().await;
    let inactive = inactive["email"].as_str().unwrap().to_owned();
    let missing = "nobody-here@example.com".to_owned();
    let routes = [
        "/api/request-reset-password/",
        "/auth/api/register/resend-otp/",
        "/auth/api/password-reset/",
        "/api/v1/auth/user/otp/",
    ];

    for path in routes {
        let mut answers = Vec::new();
        for email in [&active, &inactive, &missing] {
            answers.push(t.app.post(path, &json!({"email": email})).await);
        }
        assert!(answers[0].status.is_success(), "{path}: {:#?}", answers[0]);
        for other in &answers[1..] {
            assert_eq!(
                (other.status, &other.body),
                (answers[0].status, &answers[0].body),
                "{path}"
            );
        }
    }

    let mut dra = Vec::new();
    for email in [&active, &inactive, &missing] {
        dra.push(
            t.app
                .post("/auth/email_request/", &json!({"email": email}))
                .await,
        );
    }
    for answer in &dra {
        assert_eq!(
            (answer.status, keys(answer)),
            (dra[0].status, keys(&dra[0])),
            "{answer:#?}"
        );
        assert_eq!(answer.body["message"], dra[0].body["message"]);
    }
}

#[tokio::test]
async fn seed_code_routes_refuse_wrong_codes_and_unknown_addresses_alike() {
    let t = MailTest::spawn().await;
    let user = t.verified_user().await;
    let (pending, _) = t.register().await;
    let pending = pending["email"].as_str().unwrap().to_owned();
    let cases: [(&str, Value, Value); 3] = [
        (
            "/api/v1/auth/user/activation/",
            json!({"email": pending, "otp_code": "000000"}),
            json!({"email": "nobody-here@example.com", "otp_code": "000000"}),
        ),
        (
            "/api/v1/auth/jwt/create/",
            json!({"email": user.email, "otp_code": "000000"}),
            json!({"email": "nobody-here@example.com", "otp_code": "000000"}),
        ),
        (
            "/auth/api/register/verify-otp/000000/",
            json!({"email": pending}),
            json!({"email": "nobody-here@example.com"}),
        ),
    ];
    for (path, known, unknown) in cases {
        let a = t.app.post(path, &known).await;
        let b = t.app.post(path, &unknown).await;
        assert!(a.status.is_client_error(), "{path}: {a:#?}");
        assert_ne!(a.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!((a.status, &a.body), (b.status, &b.body), "{path}");
    }
}
