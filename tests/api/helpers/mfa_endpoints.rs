//! The second-factor endpoints, and TOTP codes computed here from the enrolment's secret as an
//! authenticator app would (RFC 6238: HMAC-SHA1, 6 digits, 30 s steps).

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use totp_rs::{Algorithm, Builder, Secret};

use super::{Answer, TestApp, TestUser};

/// A user's confirmed TOTP: the base32 secret and the recovery codes handed out.
#[derive(Debug, Clone)]
pub struct TotpOn {
    pub secret: String,
    pub recovery_codes: Vec<String>,
}

impl TestApp {
    pub async fn enrol_totp(&self, access: Option<&str>) -> Answer {
        self.send(Method::POST, "/api/v1/auth/mfa/totp/", access, None)
            .await
    }

    pub async fn confirm_totp(&self, access: &str, body: &Value) -> Answer {
        self.send(
            Method::POST,
            "/api/v1/auth/mfa/totp/confirm/",
            Some(access),
            Some(body),
        )
        .await
    }

    pub async fn disable_totp(&self, access: &str, body: &Value) -> Answer {
        self.send(
            Method::POST,
            "/api/v1/auth/mfa/totp/disable/",
            Some(access),
            Some(body),
        )
        .await
    }

    pub async fn complete_mfa(&self, body: &Value) -> Answer {
        self.post("/api/v1/auth/token/mfa/", body).await
    }

    /// The code an authenticator app shows now, on the server's clock.
    pub fn totp_now(&self, secret: &str) -> String {
        let at = u64::try_from(self.clock.now().timestamp()).unwrap();
        totp_at(secret, at)
    }

    /// Moves the clock to the next 30 s step, as waiting for the app's next code would.
    pub fn next_step(&self) {
        self.clock.advance(Duration::from_secs(30));
    }

    /// Enrols and confirms TOTP for `user`, then moves to the next step (the confirming code's
    /// step is spent).
    pub async fn turn_on_totp(&self, user: &TestUser) -> TotpOn {
        let enrolled = self.enrol_totp(Some(&user.access)).await;
        assert_eq!(enrolled.status, StatusCode::OK, "{enrolled:#?}");
        let secret = enrolled.str("secret").to_owned();
        let code = self.totp_now(&secret);
        let confirmed = self
            .confirm_totp(&user.access, &json!({"code": code}))
            .await;
        assert_eq!(confirmed.status, StatusCode::OK, "{confirmed:#?}");
        let recovery_codes = confirmed.body["recovery_codes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap().to_owned())
            .collect();
        self.next_step();
        TotpOn {
            secret,
            recovery_codes,
        }
    }

    /// Logs in with the password and returns the challenge token; panics unless challenged.
    pub async fn mfa_token(&self, user: &TestUser) -> String {
        let answer = self.login(&user.username, &user.password).await;
        assert_eq!(answer.status, StatusCode::OK, "{answer:#?}");
        assert_eq!(answer.body["mfa_required"], true, "{answer:#?}");
        answer.str("mfa_token").to_owned()
    }
}

/// The 6-digit code of `secret` (base32) at `unix` seconds.
pub fn totp_at(secret: &str, unix: u64) -> String {
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(6)
        .with_step_duration(30)
        .with_secret(Secret::try_from_base32(secret).expect("a base32 secret"))
        .build()
        .expect("RFC 6238 parameters")
        .generate(unix)
        .to_string()
}
