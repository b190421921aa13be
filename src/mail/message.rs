//! The emails gatehouse sends, as typed values. A job carries one of these (serialized) from the
//! transaction that caused it to the worker that renders and sends it; the `message_id` is fixed
//! at enqueue time, so every retry of one job sends the same Message-ID.

use serde::{Deserialize, Serialize};

/// One email to one recipient.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outgoing {
    /// `<uuid@gatehouse>`, stable across retries.
    pub message_id: String,
    pub to: String,
    /// How the email greets its recipient.
    pub username: String,
    pub kind: MailKind,
}

/// What the email says. Codes and links appear here and nowhere else (never in logs).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum MailKind {
    /// The code that activates a new account.
    Activation { code: String, minutes: i64 },
    /// A passwordless login code.
    LoginCode { code: String, minutes: i64 },
    /// A password reset: a code to type (valid `minutes`) and a link to follow (valid
    /// `link_minutes`).
    PasswordReset {
        code: String,
        link: String,
        minutes: i64,
        link_minutes: i64,
    },
    /// Sent to the new address: the code that confirms an email change.
    EmailChangeCode { code: String, minutes: i64 },
    /// Sent to the old address after an email change.
    EmailChanged { new_email: String },
    /// Sent after a password change or reset.
    PasswordChanged,
    /// An account was created for the recipient by staff: set a password by the link.
    Invitation { link: String, minutes: i64 },
}

impl std::fmt::Debug for MailKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The variant name only: the fields hold codes and links.
        let name = match self {
            Self::Activation { .. } => "Activation",
            Self::LoginCode { .. } => "LoginCode",
            Self::PasswordReset { .. } => "PasswordReset",
            Self::EmailChangeCode { .. } => "EmailChangeCode",
            Self::EmailChanged { .. } => "EmailChanged",
            Self::PasswordChanged => "PasswordChanged",
            Self::Invitation { .. } => "Invitation",
        };
        write!(f, "{name}(<redacted>)")
    }
}

impl Outgoing {
    /// A new email with a fresh Message-ID.
    pub fn new(to: impl Into<String>, username: impl Into<String>, kind: MailKind) -> Self {
        Self {
            message_id: format!("<{}@gatehouse>", uuid::Uuid::new_v4().simple()),
            to: to.into(),
            username: username.into(),
            kind,
        }
    }
}
