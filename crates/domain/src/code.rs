//! One-time secrets: 6-digit codes typed by people, and long tokens carried by links.
//!
//! Both are bound to one user and one purpose, stored only as a keyed hash, single use, and
//! short-lived; a new one voids the older ones of its purpose. Codes also count wrong attempts
//! and die at the limit. This module holds the types; generation and hashing live in the server's
//! `auth::codes`, storage in the store crates.

use std::fmt;

use chrono::{DateTime, Utc};

use crate::{NewJob, ParseError, SessionId, User, UserId};

/// What a secret is for. Purposes never share a secret, an attempt count or a cooldown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Purpose {
    /// 6 digits: prove the email address of a new account.
    Activation,
    /// 6 digits: passwordless login.
    Login,
    /// 6 digits: reset a forgotten password.
    PasswordReset,
    /// 6 digits sent to a new address: confirm an email change.
    EmailChange,
    /// Long token in an emailed link: reset a forgotten password.
    ResetLink,
    /// Long token handed out after a reset code was verified (the three-step reset).
    ResetToken,
    /// Long token handed out after a password (or emailed code) was right for an account with a
    /// second factor: traded with a TOTP or recovery code for a session. Attempts are limited.
    MfaChallenge,
}

impl Purpose {
    pub const ALL: [Self; 7] = [
        Self::Activation,
        Self::Login,
        Self::PasswordReset,
        Self::EmailChange,
        Self::ResetLink,
        Self::ResetToken,
        Self::MfaChallenge,
    ];

    /// The name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Activation => "activation",
            Self::Login => "login",
            Self::PasswordReset => "password_reset",
            Self::EmailChange => "email_change",
            Self::ResetLink => "reset_link",
            Self::ResetToken => "reset_token",
            Self::MfaChallenge => "mfa_challenge",
        }
    }

    pub fn from_str_opt(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }

    /// True for the 6-digit codes a person types (limited attempts); false for long tokens.
    pub fn is_code(self) -> bool {
        matches!(
            self,
            Self::Activation | Self::Login | Self::PasswordReset | Self::EmailChange
        )
    }
}

/// Six ASCII digits, as a string: leading zeros are part of the code.
#[derive(Clone, PartialEq, Eq)]
pub struct OtpCode(String);

impl OtpCode {
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        let raw = raw.trim();
        if raw.len() == 6 && raw.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(raw.to_owned()))
        } else {
            Err(ParseError::new("Enter the 6-digit code from the email."))
        }
    }

    /// Formats a number below one million as a code (for the generator).
    pub fn from_number(n: u32) -> Self {
        Self(format!("{:06}", n % 1_000_000))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for OtpCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OtpCode(<redacted>)")
    }
}

/// The id of one stored secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SecretId(pub i64);

/// A secret about to be stored: only its keyed hash is kept.
#[derive(Debug, Clone)]
pub struct NewSecret {
    pub purpose: Purpose,
    pub hash: Vec<u8>,
    /// The address an email-change code confirms; empty otherwise.
    pub target: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// A live secret as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretRecord {
    pub id: SecretId,
    pub user_id: UserId,
    pub purpose: Purpose,
    pub hash: Vec<u8>,
    pub target: String,
    pub attempts: i32,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// What redeeming a secret does, in the same transaction that uses it up.
#[derive(Debug, Clone)]
pub enum Redemption {
    /// Nothing else (a login code: the caller starts the session).
    Consume,
    /// The user becomes active and their email verified.
    Activate,
    /// Sets the password hash, marks the email verified (the secret went there), revokes every
    /// session of the user, voids their other live password-reset secrets (codes, links, reset
    /// tokens) and second-factor challenges opened with the old password, and enqueues `notice`.
    ResetPassword { hash: String, notice: NewJob },
    /// Stores `next` for the same user (the verify step of the three-step reset hands out a
    /// reset token in exchange for the code).
    Exchange { next: NewSecret },
    /// The user's email becomes the secret's `target`, verified; every live code and link sent to
    /// the old address (activation, login, password reset) is voided; `notice` (to the old
    /// address) is enqueued. `Conflict("email")` when the address was taken meanwhile.
    ChangeEmail { notice: NewJob },
}

/// The outcome of a redemption: the user as they are now, and sessions it revoked.
#[derive(Debug, Clone)]
pub struct Redeemed {
    pub user: User,
    pub revoked: Vec<SessionId>,
}

#[cfg(test)]
mod tests {
    use super::{OtpCode, Purpose};

    #[test]
    fn codes_are_exactly_six_digits_and_keep_leading_zeros() {
        assert_eq!(
            OtpCode::parse("012345").map(|c| c.expose().to_owned()),
            Ok("012345".to_owned())
        );
        assert_eq!(OtpCode::from_number(42).expose(), "000042");
        for bad in ["12345", "1234567", "12a456", "", "１２３４５６", "-12345"] {
            assert!(OtpCode::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn purposes_round_trip_their_names() {
        for p in Purpose::ALL {
            assert_eq!(Purpose::from_str_opt(p.as_str()), Some(p));
        }
    }
}
