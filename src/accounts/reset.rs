//! Resetting a forgotten password, on one mechanism whatever the wire shape:
//! - `request`: email a 6-digit code and a link (nothing tells whether the account exists);
//! - `verify_code`: trade the code for a short-lived reset token (single use, its own purpose);
//! - `confirm`: with a reset token, the link's token, or email + code, set the new password;
//!   every session of the user ends and they are told by email.
//!
//! Reset tokens and link tokens are looked up by keyed hash under their own purpose: an access or
//! refresh token can never stand in for one.

use gatehouse_domain::{AuditEvent, Email, OtpCode, Purpose, Redemption, User};
use serde_json::json;

use super::password::identifiers;
use crate::app::AppState;
use crate::auth::Device;
use crate::auth::secrets::SecretError;
use crate::http::error::ApiError;
use crate::jobs::Job;
use crate::mail::{MailKind, Outgoing};

/// Emails a reset code and link if `email` belongs to an active account.
pub async fn request(state: &AppState, email: &Email, device: &Device) -> Result<(), ApiError> {
    if let Some(user) = state.secrets.user_by_email(email).await?
        && user.is_active
        && state.secrets.send_reset(&user).await?
    {
        state.jobs_wake.notify_one();
        tracing::info!(user.id = %user.id, client.ip = %device.ip, "password reset requested");
    }
    Ok(())
}

/// Tells whether `code` is the live reset code of `email` without using it up (a wrong one
/// counts against its attempts), for clients that validate before asking for the new password.
pub async fn check_code(state: &AppState, email: &Email, code: &OtpCode) -> Result<(), ApiError> {
    state
        .secrets
        .check_code(email, Purpose::PasswordReset, code)
        .await?;
    Ok(())
}

/// Checks the emailed reset code (a wrong one counts against its attempts) and uses it up for a
/// reset token. The token is `token` when the client already holds one it was handed before the
/// check (DRA's flow: that token becomes usable only now), else a fresh random one. Returns it.
pub async fn verify_code(
    state: &AppState,
    email: &Email,
    code: &OtpCode,
    token: Option<&str>,
    device: &Device,
) -> Result<String, ApiError> {
    let (user, secret) = state
        .secrets
        .check_code(email, Purpose::PasswordReset, code)
        .await?;
    let (token, next) = match token {
        Some(token) => (token.to_owned(), state.secrets.reset_token_secret(token)),
        None => state.secrets.new_reset_token(),
    };
    state
        .secrets
        .redeem(&secret, Redemption::Exchange { next })
        .await?;
    tracing::info!(user.id = %user.id, client.ip = %device.ip, "password reset code verified");
    Ok(token)
}

/// What proves that the caller may reset.
#[derive(Debug)]
pub enum Proof {
    /// A reset token (`Purpose::ResetToken`) or the emailed link's token (`Purpose::ResetLink`).
    Token(Purpose, String),
    /// The emailed code, with the address it was sent to.
    Code(Email, OtpCode),
}

/// Checks the proof, then the new password — (wire field name, value) — against the policy (a
/// 400 on that field; the proof is used up only if the password is acceptable), then resets:
/// new hash, every session revoked, the user's other reset secrets voided, a notice emailed.
pub async fn confirm(
    state: &AppState,
    proof: Proof,
    new: (&str, &str),
    device: &Device,
) -> Result<User, ApiError> {
    let (new_field, new) = new;
    let (user, secret) = match proof {
        Proof::Token(purpose, token) => {
            let secret = state.secrets.check_token(purpose, &token).await?;
            let user = state
                .store
                .user_by_id(secret.user_id)
                .await?
                .ok_or(SecretError::Invalid)?;
            (user, secret)
        }
        Proof::Code(email, code) => {
            state
                .secrets
                .check_code(&email, Purpose::PasswordReset, &code)
                .await?
        }
    };
    let password = state
        .policy
        .check(new.to_owned(), &identifiers(&user))
        .map_err(|e| ApiError::Validation([(new_field.to_owned(), e.0)].into()))?;
    let hash = state.passwords.hash(&password).await?;
    let now = state.clock.now();
    let notice = Job::email(
        Outgoing::new(&user.email, &user.username, MailKind::PasswordChanged),
        now,
    )?;
    let redeemed = state
        .secrets
        .redeem(&secret, Redemption::ResetPassword { hash, notice })
        .await?;
    state.sessions.announce_revoked(&redeemed.revoked).await;
    state.sessions.user_changed(user.id).await;
    state.jobs_wake.notify_one();
    tracing::info!(user.id = %user.id, sessions_ended = redeemed.revoked.len(), client.ip = %device.ip, "password reset");
    state
        .audit
        .event(AuditEvent::PasswordReset, device)
        .target(user.id)
        .detail(&json!({"sessions_ended": redeemed.revoked.len()}))
        .record()
        .await;
    Ok(redeemed.user)
}
