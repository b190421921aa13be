//! `MailTest`: a server with email verification on, sending through a real SMTP conversation to
//! an `SmtpSink`. Jobs run when a test drains them (no background worker unless asked), so what
//! the sink holds right after `deliver()` is exactly what the queue sent.

use gatehouse::config::{Config, EmailVerification, MailBackend};
use gatehouse_domain::{JobId, JobRecord};
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::mail::Mail;
use super::smtp_sink::{Received, SmtpSink};
use crate::helpers::{Answer, PASSWORD, TestApp, TestUser};

/// The answer of every "maybe we emailed you" endpoint.
pub const ACCEPTED_DETAIL: &str =
    "If an account with this address can receive it, an email is on its way.";

/// A password the policy accepts, different from `PASSWORD`.
pub const NEW_PASSWORD: &str = "Brand-new-phrase-2718";

pub struct MailTest {
    pub app: TestApp,
    pub sink: SmtpSink,
}

/// The flow defaults: verification required, SMTP to the sink, no background worker.
pub fn smtp_config(config: &mut Config, sink: &SmtpSink) {
    config.email_verification = EmailVerification::Required;
    config.mail = MailBackend::Smtp;
    config.smtp_url = sink.url();
    config.worker = false;
}

impl MailTest {
    pub async fn spawn() -> Self {
        Self::spawn_with(|_| {}).await
    }

    /// As `spawn`, with `configure` applied over the flow defaults.
    pub async fn spawn_with(configure: impl FnOnce(&mut Config)) -> Self {
        let sink = SmtpSink::start().await;
        let app = TestApp::spawn_with(|c| {
            smtp_config(c, &sink);
            configure(c);
        })
        .await;
        Self { app, sink }
    }

    /// Runs the due jobs; returns the messages that reached the sink meanwhile.
    pub async fn deliver(&self) -> Vec<Mail> {
        let before = self.sink.received().len();
        self.app.drain_jobs().await;
        self.sink.received()[before..]
            .iter()
            .map(Received::mail)
            .collect()
    }

    /// Runs the due jobs and expects exactly one message, to `to`.
    pub async fn deliver_one(&self, to: &str) -> Mail {
        let before = self.sink.received().len();
        let mails = self.deliver().await;
        assert_eq!(mails.len(), 1, "one message expected, got {mails:#?}");
        let envelope = &self.sink.received()[before].recipients;
        assert_eq!(envelope, &[to], "envelope recipients");
        assert!(mails[0].to().contains(to), "To: {}", mails[0].to());
        mails.into_iter().next().unwrap()
    }

    /// Runs the due jobs and expects that nothing was sent.
    pub async fn deliver_none(&self) {
        let mails = self.deliver().await;
        assert!(mails.is_empty(), "no message expected, got {mails:#?}");
    }

    /// Registers a new (inactive) user; returns the register body and the activation email.
    pub async fn register(&self) -> (Value, Mail) {
        let body = TestApp::new_user_body();
        let answer = self.app.register(&body).await;
        assert_eq!(answer.status, StatusCode::CREATED, "{answer:#?}");
        assert_eq!(answer.body["is_active"], false, "{answer:#?}");
        let mail = self.deliver_one(body["email"].as_str().unwrap()).await;
        (body, mail)
    }

    /// Registers, activates with the emailed code and logs in once.
    pub async fn verified_user(&self) -> TestUser {
        let (body, mail) = self.register().await;
        let email = body["email"].as_str().unwrap().to_owned();
        let verified = self
            .app
            .verify_registration(&email, &json!(mail.code()))
            .await;
        assert_eq!(verified.status, StatusCode::OK, "{verified:#?}");
        let username = body["username"].as_str().unwrap().to_owned();
        let (access, refresh) = self.app.login_tokens(&username, PASSWORD).await;
        TestUser {
            id: verified.body["user"]["id"].as_i64().unwrap(),
            username,
            email,
            password: PASSWORD.to_owned(),
            access,
            refresh,
        }
    }

    /// Asks for a login code for `email` and returns it.
    pub async fn login_code(&self, email: &str) -> String {
        assert_accepted(&self.app.request_login_code(email).await);
        self.deliver_one(email).await.code()
    }

    /// Asks for a password reset for `email` and returns its email.
    pub async fn reset_mail(&self, email: &str) -> Mail {
        assert_accepted(&self.app.request_password_reset(email).await);
        let mail = self.deliver_one(email).await;
        assert!(mail.subject().contains("Reset"), "{}", mail.subject());
        mail
    }
}

/// The uniform 202 answer of resend, OTP request and reset request.
pub fn assert_accepted(answer: &Answer) {
    assert_eq!(answer.status, StatusCode::ACCEPTED, "{answer:#?}");
    assert_eq!(
        answer.body,
        json!({"detail": ACCEPTED_DETAIL}),
        "{answer:#?}"
    );
}

/// The 400 every dead, wrong, foreign or unknown code or token gets.
pub fn assert_invalid_code(answer: &Answer) {
    crate::helpers::assert_drf_error(answer, StatusCode::BAD_REQUEST, "invalid_code");
}

/// A 6-digit code that is not `code`.
pub fn other_code(code: &str) -> String {
    let n: u32 = code.parse().unwrap();
    format!("{:06}", (n + 1) % 1_000_000)
}

/// Every job of this (fresh) database: ids count up from 1.
pub async fn all_jobs(app: &TestApp) -> Vec<JobRecord> {
    let mut jobs = Vec::new();
    let mut misses = 0;
    for id in 1.. {
        match app.store().job(JobId(id)).await.expect("reading a job") {
            Some(job) => jobs.push(job),
            None if misses < 5 => misses += 1,
            None => break,
        }
    }
    jobs
}
