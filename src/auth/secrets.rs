//! The emailed-secret use cases every flow shares: issue a code (or a reset code + link) and
//! enqueue its email in one store call; check a presented code. Handlers stay thin, and the rules
//! — cooldown, single use, attempt limit, one generic error for every kind of failure — live here.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use gatehouse_domain::{
    Email, NewJob, NewSecret, NewUser, OtpCode, Purpose, Redeemed, Redemption, SecretRecord, Store,
    StoreError, User,
};

use super::codes::Codes;
use crate::clock::Clock;
use crate::config::Config;
use crate::jobs::Job;
use crate::mail::{MailKind, Outgoing};

/// A presented code or token that does not work — wrong, expired, used, voided, over its attempt
/// limit, or for an unknown address. One error for all, so none of them can be told apart.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("The code is invalid or has expired.")]
    Invalid,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

#[derive(Debug, Clone)]
pub struct Secrets {
    store: Arc<dyn Store>,
    codes: Codes,
    clock: Clock,
    code_ttl: Duration,
    code_attempts: i32,
    cooldown: Duration,
    reset_link_ttl: Duration,
    reset_token_ttl: Duration,
    invite_ttl: Duration,
    public_base: String,
}

impl Secrets {
    pub fn new(store: Arc<dyn Store>, codes: Codes, clock: Clock, config: &Config) -> Self {
        Self {
            store,
            codes,
            clock,
            code_ttl: config.code_ttl,
            code_attempts: i32::try_from(config.code_attempts).unwrap_or(i32::MAX),
            cooldown: config.code_cooldown,
            reset_link_ttl: config.reset_link_ttl,
            invite_ttl: config.invite_ttl,
            reset_token_ttl: config.reset_token_ttl,
            public_base: config.public_base(),
        }
    }

    /// Creates an inactive user together with their activation code and its email.
    pub async fn register(&self, user: NewUser) -> Result<User, SecretError> {
        let now = self.clock.now();
        let code = Codes::new_code();
        let hash = self
            .codes
            .code_hash(user.public_id, Purpose::Activation, &code);
        let secret = Self::secret(Purpose::Activation, hash, now, self.code_ttl);
        let kind = MailKind::Activation {
            code: code.expose().to_owned(),
            minutes: minutes(self.code_ttl),
        };
        self.create_with(user, secret, kind).await
    }

    /// Creates a user invited by staff, with a set-password link and its email, in one store
    /// call. The account has no usable password until the link is followed; following it also
    /// verifies the address.
    pub async fn invite(&self, user: NewUser) -> Result<User, SecretError> {
        let now = self.clock.now();
        let token = Codes::new_token();
        let hash = self.codes.token_hash(Purpose::ResetLink, &token);
        let secret = Self::secret(Purpose::ResetLink, hash, now, self.invite_ttl);
        let kind = MailKind::Invitation {
            link: format!("{}/api/reset-password/?token={token}", self.public_base),
            minutes: minutes(self.invite_ttl),
        };
        self.create_with(user, secret, kind).await
    }

    /// Creates `user` with their first `secret` and the email `kind` that delivers it.
    async fn create_with(
        &self,
        user: NewUser,
        secret: NewSecret,
        kind: MailKind,
    ) -> Result<User, SecretError> {
        let job = Job::email(
            Outgoing::new(user.email.as_ref(), user.username.as_ref(), kind),
            self.clock.now(),
        )?;
        Ok(self
            .store
            .create_user_with_secret(user, secret, job)
            .await?)
    }

    /// Emails `user` a fresh activation or login code at their stored address (never an address
    /// as typed in a request: the part before the @ may be case-sensitive at the provider). False
    /// when a code of that purpose went out within the cooldown: nothing is sent then.
    pub async fn send_code(&self, user: &User, purpose: Purpose) -> Result<bool, SecretError> {
        let (code, minutes) = (Codes::new_code(), minutes(self.code_ttl));
        let kind = match purpose {
            Purpose::Activation => MailKind::Activation {
                code: code.expose().to_owned(),
                minutes,
            },
            Purpose::Login => MailKind::LoginCode {
                code: code.expose().to_owned(),
                minutes,
            },
            Purpose::PasswordReset | Purpose::ResetLink | Purpose::ResetToken => {
                return self.send_reset(user).await;
            }
            Purpose::EmailChange => {
                return Err(SecretError::Other(anyhow::anyhow!(
                    "an email-change code needs its new address"
                )));
            }
            Purpose::MfaChallenge => {
                return Err(SecretError::Other(anyhow::anyhow!(
                    "a login challenge is handed out, never emailed"
                )));
            }
        };
        self.send(user, purpose, &code, &user.email, kind, String::new())
            .await
    }

    /// Emails a code confirming `new_email` to that address.
    pub async fn send_email_change_code(
        &self,
        user: &User,
        new_email: &Email,
    ) -> Result<bool, SecretError> {
        let code = Codes::new_code();
        let kind = MailKind::EmailChangeCode {
            code: code.expose().to_owned(),
            minutes: minutes(self.code_ttl),
        };
        self.send(
            user,
            Purpose::EmailChange,
            &code,
            new_email.as_ref(),
            kind,
            new_email.as_ref().to_owned(),
        )
        .await
    }

    async fn send(
        &self,
        user: &User,
        purpose: Purpose,
        code: &OtpCode,
        to: &str,
        kind: MailKind,
        target: String,
    ) -> Result<bool, SecretError> {
        let now = self.clock.now();
        let mut secret = Self::secret(
            purpose,
            self.codes.code_hash(user.public_id, purpose, code),
            now,
            self.code_ttl,
        );
        secret.target = target;
        let job = Job::email(Outgoing::new(to, &user.username, kind), now)?;
        self.issue(user, &[secret], job, now).await
    }

    /// Emails a password reset: a 6-digit code and a link with a long token, in one message.
    pub async fn send_reset(&self, user: &User) -> Result<bool, SecretError> {
        let now = self.clock.now();
        let code = Codes::new_code();
        let token = Codes::new_token();
        let secrets = [
            Self::secret(
                Purpose::PasswordReset,
                self.codes
                    .code_hash(user.public_id, Purpose::PasswordReset, &code),
                now,
                self.code_ttl,
            ),
            Self::secret(
                Purpose::ResetLink,
                self.codes.token_hash(Purpose::ResetLink, &token),
                now,
                self.reset_link_ttl,
            ),
        ];
        let kind = MailKind::PasswordReset {
            code: code.expose().to_owned(),
            link: format!("{}/api/reset-password/?token={token}", self.public_base),
            minutes: minutes(self.code_ttl),
            link_minutes: minutes(self.reset_link_ttl),
        };
        let job = Job::email(Outgoing::new(&user.email, &user.username, kind), now)?;
        self.issue(user, &secrets, job, now).await
    }

    async fn issue(
        &self,
        user: &User,
        secrets: &[NewSecret],
        job: NewJob,
        now: DateTime<Utc>,
    ) -> Result<bool, SecretError> {
        let cooldown_since = now - TimeDelta::from_std(self.cooldown).unwrap_or(TimeDelta::zero());
        let sent = self
            .store
            .issue_secrets(user.id, secrets, job, cooldown_since)
            .await?;
        if !sent {
            tracing::info!(user.id = %user.id, purpose = secrets[0].purpose.as_str(), "code not sent: inside the resend cooldown");
        }
        Ok(sent)
    }

    /// The account whose email address this is (a username that looks like it does not count).
    pub async fn user_by_email(&self, email: &Email) -> Result<Option<User>, StoreError> {
        Ok(self
            .store
            .credentials_by_login(email.as_ref())
            .await?
            .map(|c| c.user)
            .filter(|u| u.email.eq_ignore_ascii_case(email.as_ref())))
    }

    /// Finds the live code of `purpose` for the account with this email and checks `code` against
    /// it; a wrong code counts as an attempt. On success the caller redeems the returned secret.
    pub async fn check_code(
        &self,
        email: &Email,
        purpose: Purpose,
        code: &OtpCode,
    ) -> Result<(User, SecretRecord), SecretError> {
        let now = self.clock.now();
        let user = self
            .user_by_email(email)
            .await?
            .ok_or(SecretError::Invalid)?;
        self.check_user_code(user, purpose, code, now).await
    }

    /// As `check_code`, for a user already known (the caller is logged in).
    pub async fn check_user_code(
        &self,
        user: User,
        purpose: Purpose,
        code: &OtpCode,
        now: DateTime<Utc>,
    ) -> Result<(User, SecretRecord), SecretError> {
        let secret = self
            .store
            .live_secret(user.id, purpose, now, self.code_attempts)
            .await?
            .ok_or(SecretError::Invalid)?;
        if !self
            .codes
            .code_matches(user.public_id, purpose, code, &secret.hash)
        {
            self.store.fail_secret(secret.id).await?;
            tracing::info!(user.id = %user.id, purpose = purpose.as_str(), "wrong code");
            return Err(SecretError::Invalid);
        }
        Ok((user, secret))
    }

    /// Uses a checked secret up and applies `effect`. A secret used meanwhile by a concurrent
    /// request is `Invalid`, like any other dead secret.
    pub async fn redeem(
        &self,
        secret: &SecretRecord,
        effect: Redemption,
    ) -> Result<Redeemed, SecretError> {
        match self
            .store
            .redeem_secret(secret.id, effect, self.clock.now())
            .await
        {
            Ok(redeemed) => Ok(redeemed),
            Err(StoreError::NotFound) => Err(SecretError::Invalid),
            Err(e) => Err(e.into()),
        }
    }

    /// The live link token or reset token of `purpose` named by `token`.
    pub async fn check_token(
        &self,
        purpose: Purpose,
        token: &str,
    ) -> Result<SecretRecord, SecretError> {
        if token.is_empty() || token.len() > 128 {
            return Err(SecretError::Invalid);
        }
        let hash = self.codes.token_hash(purpose, token);
        self.store
            .secret_by_hash(purpose, &hash, self.clock.now())
            .await?
            .ok_or(SecretError::Invalid)
    }

    /// A new reset token, to hand out when a reset code is verified (stored by the redemption).
    pub fn new_reset_token(&self) -> (String, NewSecret) {
        let token = Codes::new_token();
        let secret = self.reset_token_secret(&token);
        (token, secret)
    }

    /// The stored form of a reset token the caller chose (DRA hands its token out before the
    /// code is checked; it becomes a reset token only when the code is).
    pub fn reset_token_secret(&self, token: &str) -> NewSecret {
        Self::secret(
            Purpose::ResetToken,
            self.codes.token_hash(Purpose::ResetToken, token),
            self.clock.now(),
            self.reset_token_ttl,
        )
    }

    pub fn reset_token_ttl(&self) -> Duration {
        self.reset_token_ttl
    }

    fn secret(purpose: Purpose, hash: Vec<u8>, now: DateTime<Utc>, ttl: Duration) -> NewSecret {
        NewSecret {
            purpose,
            hash,
            target: String::new(),
            created_at: now,
            expires_at: now + TimeDelta::from_std(ttl).unwrap_or(TimeDelta::minutes(10)),
        }
    }
}

/// Whole minutes for the expiry text in emails, rounded down so it never promises more time than
/// the code really has.
fn minutes(ttl: Duration) -> i64 {
    i64::try_from(ttl.as_secs() / 60).unwrap_or(i64::MAX).max(1)
}
