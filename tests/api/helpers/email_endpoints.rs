//! The endpoints of the emailed-code flows: activation, passwordless login, password reset (and
//! its link page), email change. One `TestApp` method per endpoint, as in `endpoints.rs`.

use reqwest::Method;
use serde_json::{Value, json};

use super::{Answer, TestApp};

impl TestApp {
    pub async fn verify_registration(&self, email: &str, code: &Value) -> Answer {
        let body = json!({"email": email, "code": code});
        self.post("/api/v1/auth/register/verify/", &body).await
    }

    pub async fn resend_activation(&self, email: &str) -> Answer {
        self.post("/api/v1/auth/register/resend/", &json!({"email": email}))
            .await
    }

    pub async fn request_login_code(&self, email: &str) -> Answer {
        self.post("/api/v1/auth/otp/", &json!({"email": email}))
            .await
    }

    pub async fn login_with_code(&self, email: &str, code: &Value) -> Answer {
        let body = json!({"email": email, "code": code});
        self.post("/api/v1/auth/token/otp/", &body).await
    }

    pub async fn request_password_reset(&self, email: &str) -> Answer {
        self.post("/api/v1/auth/password/reset/", &json!({"email": email}))
            .await
    }

    pub async fn verify_reset_code(&self, email: &str, code: &Value) -> Answer {
        let body = json!({"email": email, "code": code});
        self.post("/api/v1/auth/password/reset/verify/", &body)
            .await
    }

    /// `password/reset/confirm/` with any proof: `reset_token`, `token`, or `email` + `code`.
    pub async fn confirm_password_reset(&self, body: &Value) -> Answer {
        self.post("/api/v1/auth/password/reset/confirm/", body)
            .await
    }

    /// GET of the emailed link's path and query (`/api/reset-password/?token=…`).
    pub async fn open_reset_page(&self, path_and_query: &str) -> Answer {
        self.get(path_and_query, None).await
    }

    /// The API client's JSON post to the link's path and query.
    pub async fn submit_reset_page_json(&self, path_and_query: &str, password: &str) -> Answer {
        let body = json!({"new_password": password, "confirm_new_password": password});
        self.post(path_and_query, &body).await
    }

    /// The browser's form post to `/api/reset-password/`: `token`, `new_password`,
    /// `confirm_new_password`, url-encoded.
    pub async fn submit_reset_page_form(&self, token: &str, password: &str) -> Answer {
        let body = format!(
            "token={}&new_password={}&confirm_new_password={}",
            form_encode(token),
            form_encode(password),
            form_encode(password)
        );
        self.send_raw(
            Method::POST,
            "/api/reset-password/",
            None,
            Some("application/x-www-form-urlencoded"),
            body.into_bytes(),
        )
        .await
    }

    pub async fn request_email_change(&self, access: &str, email: &str, password: &str) -> Answer {
        let body = json!({"email": email, "password": password});
        self.send(
            Method::POST,
            "/api/v1/users/me/email/",
            Some(access),
            Some(&body),
        )
        .await
    }

    pub async fn confirm_email_change(&self, access: &str, code: &Value) -> Answer {
        self.send(
            Method::POST,
            "/api/v1/users/me/email/confirm/",
            Some(access),
            Some(&json!({"code": code})),
        )
        .await
    }
}

/// `application/x-www-form-urlencoded` encoding of one value.
fn form_encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*' => {
                char::from(b).to_string()
            }
            b' ' => "+".to_owned(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
