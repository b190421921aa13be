//! The audit log: security events with who did it, to whom, from where and when. Entries name
//! users by id without a foreign key, so the record of a deletion outlives the account.

use chrono::{DateTime, Utc};

use crate::UserId;

/// What happened. The string forms are the API's and the stores'.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuditEvent {
    LoginSucceeded,
    LoginFailed,
    Logout,
    RefreshReuse,
    PasswordChanged,
    PasswordReset,
    EmailChanged,
    AccountActivated,
    AccountUpdated,
    AccountDeleted,
    UserInvited,
    SessionRevoked,
    MfaEnabled,
    MfaDisabled,
    /// A wrong second-factor code (login challenge, confirmation or disabling).
    MfaFailed,
}

impl AuditEvent {
    pub const ALL: [Self; 15] = [
        Self::LoginSucceeded,
        Self::LoginFailed,
        Self::Logout,
        Self::RefreshReuse,
        Self::PasswordChanged,
        Self::PasswordReset,
        Self::EmailChanged,
        Self::AccountActivated,
        Self::AccountUpdated,
        Self::AccountDeleted,
        Self::UserInvited,
        Self::SessionRevoked,
        Self::MfaEnabled,
        Self::MfaDisabled,
        Self::MfaFailed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::LoginSucceeded => "login.succeeded",
            Self::LoginFailed => "login.failed",
            Self::Logout => "logout",
            Self::RefreshReuse => "refresh.reuse_detected",
            Self::PasswordChanged => "password.changed",
            Self::PasswordReset => "password.reset",
            Self::EmailChanged => "email.changed",
            Self::AccountActivated => "account.activated",
            Self::AccountUpdated => "account.updated",
            Self::AccountDeleted => "account.deleted",
            Self::UserInvited => "user.invited",
            Self::SessionRevoked => "session.revoked",
            Self::MfaEnabled => "mfa.enabled",
            Self::MfaDisabled => "mfa.disabled",
            Self::MfaFailed => "mfa.failed",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.as_str() == raw)
    }
}

/// An entry about to be written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAuditEntry {
    pub event: AuditEvent,
    /// Who acted; `None` for an anonymous caller (a failed login, a reset by emailed code).
    pub actor: Option<UserId>,
    /// Whose account it concerns; `None` when there is no such account.
    pub target: Option<UserId>,
    pub ip: String,
    pub user_agent: String,
    /// Small JSON object with event-specific facts (never a secret).
    pub detail: String,
    pub at: DateTime<Utc>,
}

/// An entry as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub id: i64,
    pub entry: NewAuditEntry,
}

/// Filters for reading the log, newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditQuery {
    /// Entries where this user is the actor or the target.
    pub user: Option<UserId>,
    pub event: Option<AuditEvent>,
    /// Inclusive lower bound.
    pub since: Option<DateTime<Utc>>,
    /// Exclusive upper bound.
    pub until: Option<DateTime<Utc>>,
    pub offset: u64,
    pub limit: u32,
}

/// A page of entries and how many match in all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditPage {
    pub total: u64,
    pub entries: Vec<AuditEntry>,
}
