//! The TOTP second factor (RFC 6238) as the store keeps it: a sealed secret, whether it is
//! confirmed, the last time step a code was accepted for, and the recovery codes' keyed hashes.
//!
//! Sealing, code checks and hashing happen in the server's `auth::totp`; the store only keeps
//! bytes and applies the single-use rules (a step or a recovery code is spent at most once).

use chrono::{DateTime, Utc};

use crate::UserId;

/// The id of one stored recovery code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RecoveryCodeId(pub i64);

/// An unused recovery code: only its keyed hash is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecoveryCode {
    pub id: RecoveryCodeId,
    pub hash: Vec<u8>,
}

/// A user's TOTP enrolment.
#[derive(Clone, PartialEq, Eq)]
pub struct TotpRecord {
    pub user_id: UserId,
    /// The secret, encrypted by the server (never the plain secret).
    pub sealed_secret: Vec<u8>,
    pub created_at: DateTime<Utc>,
    /// `None` until a first code confirmed it: until then it does not guard logins.
    pub confirmed_at: Option<DateTime<Utc>>,
    /// The newest time step a code was accepted for; codes of this step or older are refused.
    /// -1 before the first.
    pub last_step: i64,
    /// Unused recovery codes.
    pub recovery_codes: Vec<RecoveryCode>,
}

impl TotpRecord {
    pub fn is_confirmed(&self) -> bool {
        self.confirmed_at.is_some()
    }
}

impl std::fmt::Debug for TotpRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TotpRecord")
            .field("user_id", &self.user_id)
            .field("sealed_secret", &"<redacted>")
            .field("created_at", &self.created_at)
            .field("confirmed_at", &self.confirmed_at)
            .field("last_step", &self.last_step)
            .field("recovery_codes", &self.recovery_codes.len())
            .finish()
    }
}

/// A second factor the server checked, which the store spends in the same transaction as the
/// action it allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MfaProof {
    /// A TOTP code for this time step: accepted only if the step is after `last_step`, which
    /// then becomes it (compare-and-set), so a code is never accepted twice.
    Totp { step: i64 },
    /// A recovery code: accepted only if still unused; it is then used up.
    Recovery { id: RecoveryCodeId },
}
