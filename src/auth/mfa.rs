//! The second factor's rules: enrolment, confirmation, login challenges, and spending a TOTP
//! or recovery code. Handlers and use cases call `Mfa`; the store applies each step whole.
//!
//! A login challenge is a one-time secret (`Purpose::MfaChallenge`): a 256-bit token handed to
//! the client after the first factor, stored as a keyed hash, bound to the user, valid for five
//! minutes, used up by the answer that passes, and dead after five wrong answers. Recovery codes
//! are high-entropy random strings, so a keyed HMAC (the one-time secret key) is enough to make a
//! database copy useless; Argon2 would only add cost to every check. They are compared in
//! constant time against each of the user's unused codes.

use std::sync::Arc;
use std::time::Duration;

use chrono::TimeDelta;
use gatehouse_domain::{
    MfaProof, NewSecret, OtpCode, Purpose, Store, StoreError, TotpRecord, User, UserId,
};
use subtle::ConstantTimeEq as _;

use super::codes::Codes;
use super::totp::{PlainSecret, Totps};
use crate::clock::Clock;

/// How long a login challenge lives.
pub const CHALLENGE_TTL: Duration = Duration::from_mins(5);
/// Wrong answers a login challenge takes before it dies.
pub const CHALLENGE_ATTEMPTS: i32 = 5;
/// Recovery codes handed out at confirmation.
pub const RECOVERY_CODES: usize = 10;

/// What the caller presented as the second factor.
pub enum Answer {
    /// Six digits from an authenticator app.
    Totp(OtpCode),
    /// One of the recovery codes, as typed.
    Recovery(String),
}

impl std::fmt::Debug for Answer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Totp(_) => "Answer::Totp(<redacted>)",
            Self::Recovery(_) => "Answer::Recovery(<redacted>)",
        })
    }
}

/// A login challenge as handed to the client.
pub struct Challenge {
    pub token: String,
    pub expires_in: u64,
}

impl std::fmt::Debug for Challenge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Challenge")
            .field("token", &"<redacted>")
            .field("expires_in", &self.expires_in)
            .finish()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum MfaError {
    /// The challenge is unknown, used, expired or out of attempts (or its account is gone).
    #[error("The login challenge is invalid or has expired.")]
    Challenge,
    /// A wrong, already used or malformed code; carries the account it was for.
    #[error("The code is invalid.")]
    WrongCode(UserId),
    #[error("Two-factor authentication is already on.")]
    AlreadyOn,
    #[error("Two-factor authentication is not on.")]
    NotOn,
    #[error("Start the enrolment first.")]
    NotEnrolling,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

#[derive(Debug, Clone)]
pub struct Mfa {
    store: Arc<dyn Store>,
    codes: Codes,
    totps: Totps,
    clock: Clock,
}

impl Mfa {
    pub fn new(store: Arc<dyn Store>, codes: Codes, totps: Totps, clock: Clock) -> Self {
        Self {
            store,
            codes,
            totps,
            clock,
        }
    }

    /// Whether logging in as `user` needs a second factor.
    pub async fn is_required(&self, user: UserId) -> Result<bool, StoreError> {
        Ok(self
            .store
            .totp(user)
            .await?
            .is_some_and(|t| t.is_confirmed()))
    }

    /// A new secret for `user`, replacing an unconfirmed one: (base32 secret, otpauth URL).
    pub async fn enrol(&self, user: &User) -> Result<(String, String), MfaError> {
        let secret = Totps::generate();
        let sealed = self.totps.seal(user.id, &secret)?;
        let shown = self
            .totps
            .provisioning(&secret, &user.username)
            .map_err(anyhow::Error::from)?;
        if !self
            .store
            .enrol_totp(user.id, &sealed, self.clock.now())
            .await?
        {
            return Err(MfaError::AlreadyOn);
        }
        Ok(shown)
    }

    /// Turns the pending enrolment on with a first code from the app; returns the recovery
    /// codes, the only time they exist in plain text.
    pub async fn confirm(&self, user: &User, code: &OtpCode) -> Result<Vec<String>, MfaError> {
        let record = self.store.totp(user.id).await?;
        let record = match record {
            Some(r) if r.is_confirmed() => return Err(MfaError::AlreadyOn),
            Some(r) => r,
            None => return Err(MfaError::NotEnrolling),
        };
        let secret = self.open(&record)?;
        let step = Totps::matching_step(&secret, code, self.clock.now(), record.last_step)
            .map_err(anyhow::Error::from)?
            .ok_or(MfaError::WrongCode(user.id))?;
        let plain: Vec<String> = (0..RECOVERY_CODES)
            .map(|_| Codes::new_recovery_code())
            .collect();
        let hashes = plain
            .iter()
            .map(|c| self.codes.recovery_hash(user.public_id, c))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| anyhow::anyhow!("a generated recovery code did not parse"))?;
        let confirmed = self
            .store
            .confirm_totp(
                user.id,
                &record.sealed_secret,
                step,
                &hashes,
                self.clock.now(),
            )
            .await?;
        // Lost to a concurrent confirmation or re-enrolment: this code no longer counts.
        if !confirmed {
            return Err(MfaError::WrongCode(user.id));
        }
        Ok(plain)
    }

    /// A login challenge for `user`, whose first factor was right.
    pub async fn challenge(&self, user: &User) -> Result<Challenge, MfaError> {
        let token = Codes::new_token();
        let now = self.clock.now();
        let challenge = NewSecret {
            purpose: Purpose::MfaChallenge,
            hash: self.codes.token_hash(Purpose::MfaChallenge, &token),
            target: String::new(),
            created_at: now,
            expires_at: now + TimeDelta::from_std(CHALLENGE_TTL).unwrap_or(TimeDelta::minutes(5)),
        };
        self.store.create_mfa_challenge(user.id, &challenge).await?;
        Ok(Challenge {
            token,
            expires_in: CHALLENGE_TTL.as_secs(),
        })
    }

    /// Checks `answer` against the challenge `token` names and, if right, uses both up in one
    /// store call. A wrong answer counts against the challenge.
    pub async fn pass(&self, token: &str, answer: &Answer) -> Result<User, MfaError> {
        if token.is_empty() || token.len() > 128 {
            return Err(MfaError::Challenge);
        }
        let now = self.clock.now();
        let hash = self.codes.token_hash(Purpose::MfaChallenge, token);
        let challenge = self
            .store
            .secret_by_hash(Purpose::MfaChallenge, &hash, now)
            .await?
            .filter(|c| c.attempts < CHALLENGE_ATTEMPTS)
            .ok_or(MfaError::Challenge)?;
        let user = self
            .store
            .user_by_id(challenge.user_id)
            .await?
            .ok_or(MfaError::Challenge)?;
        let record = self
            .store
            .totp(user.id)
            .await?
            .filter(TotpRecord::is_confirmed)
            .ok_or(MfaError::Challenge)?;
        let passed = match self.proof(&user, &record, answer)? {
            Some(proof) => match self
                .store
                .pass_mfa_challenge(challenge.id, proof, now)
                .await
            {
                Ok(passed) => passed,
                Err(StoreError::NotFound) => return Err(MfaError::Challenge),
                Err(e) => return Err(e.into()),
            },
            None => false,
        };
        if !passed {
            self.store.fail_secret(challenge.id).await?;
            return Err(MfaError::WrongCode(user.id));
        }
        Ok(user)
    }

    /// Turns the second factor off for `user`, spending `answer` in the same store call.
    pub async fn disable(&self, user: &User, answer: &Answer) -> Result<(), MfaError> {
        let record = self
            .store
            .totp(user.id)
            .await?
            .filter(TotpRecord::is_confirmed)
            .ok_or(MfaError::NotOn)?;
        let proof = self
            .proof(user, &record, answer)?
            .ok_or(MfaError::WrongCode(user.id))?;
        if !self
            .store
            .disable_totp(user.id, proof, self.clock.now())
            .await?
        {
            return Err(MfaError::WrongCode(user.id));
        }
        Ok(())
    }

    /// What `answer` proves for `user`, if it is right and unspent.
    fn proof(
        &self,
        user: &User,
        record: &TotpRecord,
        answer: &Answer,
    ) -> Result<Option<MfaProof>, MfaError> {
        Ok(match answer {
            Answer::Totp(code) => {
                let secret = self.open(record)?;
                Totps::matching_step(&secret, code, self.clock.now(), record.last_step)
                    .map_err(anyhow::Error::from)?
                    .map(|step| MfaProof::Totp { step })
            }
            Answer::Recovery(code) => {
                let Some(hash) = self.codes.recovery_hash(user.public_id, code) else {
                    return Ok(None);
                };
                // Every unused code is compared, so the time taken says nothing about which.
                let mut found = None;
                for stored in &record.recovery_codes {
                    if bool::from(stored.hash.ct_eq(&hash)) {
                        found = Some(MfaProof::Recovery { id: stored.id });
                    }
                }
                found
            }
        })
    }

    fn open(&self, record: &TotpRecord) -> Result<PlainSecret, MfaError> {
        self.totps
            .open(record.user_id, &record.sealed_secret)
            .map_err(|e| MfaError::Other(e.into()))
    }
}
