//! gatehouse's domain: the types every other layer speaks, and the rules that need no IO.
//!
//! External strings become these types at the edge (`Email::parse`, `Username::parse`, …), so
//! the rest of the code never re-checks them. The store contract lives here too, so the HTTP
//! layer and both store crates depend on one definition and never on each other.

pub mod audit;
pub mod code;
#[cfg(feature = "contract")]
pub mod contract;
pub mod directory;
pub mod email;
pub mod ids;
pub mod import;
pub mod job;
pub mod mfa;
pub mod password;
pub mod profile;
pub mod role;
pub mod session;
pub mod store;
pub mod user;
pub mod username;

pub use audit::{AuditEntry, AuditEvent, AuditPage, AuditQuery, NewAuditEntry};
pub use code::{NewSecret, OtpCode, Purpose, Redeemed, Redemption, SecretId, SecretRecord};
pub use directory::{AccountPatch, SearchScope, UserOrderField, UserOrdering, UserPage, UserQuery};
pub use email::Email;
pub use ids::{PublicId, SessionId, UserId};
pub use import::{ImportKey, ImportOutcome, ImportedUser};
pub use job::{JobId, JobPage, JobRecord, JobState, NewJob};
pub use mfa::{MfaProof, RecoveryCode, RecoveryCodeId, TotpRecord};
pub use password::{PasswordError, PasswordPolicy, PlainPassword};
pub use profile::ProfilePatch;
pub use role::{Role, RoleSet};
pub use session::{Advance, NewSession, RevokedSession, Session, answer_steps, distinct_steps};
pub use store::{Credentials, SigningKeyRecord, Store, StoreError};
pub use user::{NewUser, User};
pub use username::Username;

/// Why a raw string was refused at the edge; the message is safe to show to the caller.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ParseError(pub String);

impl ParseError {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}
