//! Which requests are limited, and how: one table from method + path to a class, so handlers
//! (canonical and seed-compatible alike) need no code of their own. To limit a new endpoint, add
//! a row.
//!
//! Paths are matched after normalisation (trailing slash). In a pattern `*` stands for one path
//! segment (`/api/change-password/*/` matches `/api/change-password/7/`) and a final `**` for one
//! or more (`/auth/api/password-reset/**` matches the confirm paths under it).

use axum::http::Method;

/// What an endpoint does, which decides the counters it feeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// Checks a secret (password, code, reset token): failed answers (400/401/403) are counted
    /// per identifier and per IP+identifier, and past the limit each further failure doubles
    /// the wait.
    Credential,
    /// Checks a password and then emails a code (email change): both of the above.
    CredentialEmail,
    /// Emails a code or link: every request counts, per address and per IP.
    Email,
    /// Creates an account: every request counts per IP.
    Registration,
}

impl Class {
    /// Whether failed answers are counted (and success remembers the IP for the identifier).
    pub fn checks_credentials(self) -> bool {
        matches!(self, Self::Credential | Self::CredentialEmail)
    }

    /// Whether every request counts against the email quotas.
    pub fn sends_email(self) -> bool {
        matches!(self, Self::Email | Self::CredentialEmail)
    }

    /// The name in logs and counter keys.
    pub fn name(self) -> &'static str {
        match self {
            Self::Credential => "credential",
            Self::CredentialEmail => "credential_email",
            Self::Email => "email",
            Self::Registration => "registration",
        }
    }
}

const POST: &[Method] = &[Method::POST];
/// SIN's change-password is an update view: clients send PUT or PATCH as well as POST.
const WRITE: &[Method] = &[Method::POST, Method::PUT, Method::PATCH];

/// Every limited endpoint: methods, path pattern, class. First match wins.
const TABLE: &[(&[Method], &str, Class)] = &[
    // Canonical API.
    (POST, "/api/v1/auth/token/", Class::Credential),
    (POST, "/api/v1/auth/token/otp/", Class::Credential),
    (POST, "/api/v1/auth/token/mfa/", Class::Credential),
    (POST, "/api/v1/auth/mfa/totp/confirm/", Class::Credential),
    (POST, "/api/v1/auth/mfa/totp/disable/", Class::Credential),
    (POST, "/api/v1/auth/otp/", Class::Email),
    (POST, "/api/v1/auth/register/", Class::Registration),
    (POST, "/api/v1/auth/register/verify/", Class::Credential),
    (POST, "/api/v1/auth/register/resend/", Class::Email),
    (POST, "/api/v1/auth/password/reset/", Class::Email),
    (
        POST,
        "/api/v1/auth/password/reset/verify/",
        Class::Credential,
    ),
    (
        POST,
        "/api/v1/auth/password/reset/confirm/",
        Class::Credential,
    ),
    (POST, "/api/v1/auth/password/change/", Class::Credential),
    (POST, "/api/v1/users/me/email/", Class::CredentialEmail),
    (POST, "/api/reset-password/", Class::Credential),
    // Seed 000 (SIN).
    (POST, "/api/login/", Class::Credential),
    (WRITE, "/api/change-password/*/", Class::Credential),
    (POST, "/api/request-reset-password/", Class::Email),
    // Seed 001 (TLR).
    (POST, "/auth/api/login/", Class::Credential),
    (POST, "/auth/api/register/", Class::Registration),
    (WRITE, "/auth/api/register/verify-otp/*/", Class::Credential),
    (POST, "/auth/api/register/resend-otp/", Class::Email),
    (WRITE, "/auth/api/change-password/", Class::Credential),
    (POST, "/auth/api/password-reset/", Class::Email),
    (WRITE, "/auth/api/password-reset/**", Class::Credential),
    // Seed 002 (LIT).
    (POST, "/api/v1/auth/user/", Class::Registration),
    (POST, "/api/v1/auth/user/activation/", Class::Credential),
    (POST, "/api/v1/auth/user/otp/", Class::Email),
    (POST, "/api/v1/auth/jwt/create/", Class::Credential),
    // Seed 003 (DRA); `api/login/` is SIN's row.
    (POST, "/api/register/", Class::Registration),
    (POST, "/auth/email_request/", Class::Email),
    (POST, "/auth/check_otp/", Class::Credential),
    (POST, "/auth/reset_password/", Class::Credential),
    // Seed 004 (TMA); `api/register/` is DRA's row.
    (POST, "/api/token/", Class::Credential),
];

/// The class of a request, or `None` when it is not limited.
pub fn classify(method: &Method, path: &str) -> Option<Class> {
    TABLE
        .iter()
        .find(|(methods, pattern, _)| methods.contains(method) && matches(pattern, path))
        .map(|&(_, _, class)| class)
}

fn matches(pattern: &str, path: &str) -> bool {
    let mut want = pattern.trim_matches('/').split('/');
    let mut have = path.trim_matches('/').split('/');
    loop {
        match (want.next(), have.next()) {
            (None, None) => return true,
            (Some("**"), Some(segment)) => return !segment.is_empty(),
            (Some("*"), Some(segment)) if !segment.is_empty() => {}
            (Some(w), Some(h)) if w == h => {}
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_and_seed_paths_are_classified() {
        assert_eq!(
            classify(&Method::POST, "/api/v1/auth/token/"),
            Some(Class::Credential)
        );
        assert_eq!(
            classify(&Method::POST, "/api/v1/auth/token/mfa/"),
            Some(Class::Credential)
        );
        assert_eq!(
            classify(&Method::POST, "/api/v1/auth/mfa/totp/disable/"),
            Some(Class::Credential)
        );
        assert_eq!(
            classify(&Method::PUT, "/api/change-password/12/"),
            Some(Class::Credential)
        );
        assert_eq!(
            classify(&Method::POST, "/auth/api/password-reset/"),
            Some(Class::Email)
        );
        assert_eq!(
            classify(&Method::POST, "/auth/api/password-reset/confirm/"),
            Some(Class::Credential)
        );
        assert_eq!(
            classify(&Method::POST, "/auth/api/register/verify-otp/123456/"),
            Some(Class::Credential)
        );
    }

    #[test]
    fn other_methods_and_paths_are_not_limited() {
        assert_eq!(classify(&Method::GET, "/api/reset-password/"), None);
        assert_eq!(classify(&Method::POST, "/api/v1/auth/token/refresh/"), None);
        assert_eq!(classify(&Method::POST, "/api/change-password/"), None);
        assert_eq!(classify(&Method::POST, "/api/change-password/1/2/"), None);
    }
}
