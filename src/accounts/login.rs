//! Logging in: with a password, or with a 6-digit code emailed on request (passwordless, and
//! LIT's second step). Every failure is the same 401 or 400, whatever the reason. For an account
//! with TOTP on, a right first factor ends in a challenge (`ApiError::MfaRequired`) instead of a
//! session; `accounts::mfa::complete_login` is the second step.

use gatehouse_domain::{
    AuditEvent, Email, OtpCode, PlainPassword, Purpose, Redemption, User, UserId,
};
use serde_json::json;

use crate::app::AppState;
use crate::auth::secrets::SecretError;
use crate::auth::{Device, TokenPair, Verdict};
use crate::http::error::ApiError;

/// Checks `password` for the account `login` names (username, else email) and opens a session.
/// An unknown login still costs one hash, so timing tells nothing.
pub async fn password_login(
    state: &AppState,
    login: &str,
    password: &PlainPassword,
    device: Device,
) -> Result<(TokenPair, User), ApiError> {
    let credentials = if login.chars().count() > gatehouse_domain::email::MAX_LEN {
        None
    } else {
        state.store.credentials_by_login(login).await?
    };
    let verdict = state
        .passwords
        .verify(
            password,
            credentials.as_ref().map(|c| c.password_hash.as_str()),
        )
        .await?;
    let known = credentials.as_ref().map(|c| c.user.id);
    let Some(credentials) = credentials.filter(|c| verdict != Verdict::Invalid && c.user.is_active)
    else {
        tracing::info!(client.ip = %device.ip, "login failed");
        failed(state, &device, known, "password").await;
        return Err(ApiError::invalid_credentials());
    };
    let mut user = credentials.user;
    if verdict == Verdict::ValidNeedsRehash {
        upgrade_hash(state, &user, password).await;
    }
    super::mfa::demand_second_factor_when(state, &user, credentials.second_factor).await?;
    let succeeded = state.audit.event(AuditEvent::LoginSucceeded, &device);
    let pair = state
        .sessions
        .open(&user, device, succeeded, "password")
        .await?;
    user.last_login = Some(state.sessions.now());
    tracing::info!(user.id = %user.id, session.id = %pair.session, "login");
    Ok((pair, user))
}

/// Records a failed login; `target` is the account the login named, when there is one.
async fn failed(state: &AppState, device: &Device, target: Option<UserId>, method: &str) {
    let entry = state.audit.event(AuditEvent::LoginFailed, device);
    let entry = match target {
        Some(id) => entry.target(id),
        None => entry,
    };
    entry.detail(&json!({"method": method})).record().await;
}

/// Stores a current Argon2id hash for a password that verified against an old one. A failure
/// only costs the upgrade, never the login.
async fn upgrade_hash(state: &AppState, user: &User, password: &PlainPassword) {
    match state.passwords.hash(password).await {
        Ok(hash) => match state.store.set_password_hash(user.id, &hash).await {
            Ok(()) => tracing::info!(user.id = %user.id, "password hash upgraded to argon2id"),
            Err(e) => {
                tracing::warn!(user.id = %user.id, error = %e, "storing the upgraded hash failed");
            }
        },
        Err(_) => tracing::info!(user.id = %user.id, "hash upgrade skipped: hashing is saturated"),
    }
}

/// Emails a login code if `email` belongs to an active account; nothing tells which.
pub async fn request_code(state: &AppState, email: &Email) -> Result<(), ApiError> {
    if let Some(user) = state.secrets.user_by_email(email).await?
        && user.is_active
    {
        send(state, &user, Purpose::Login).await?;
    }
    Ok(())
}

/// "Send me a code", when the client cannot say which: an account still waiting for activation
/// gets a new activation code, an active one a login code; nothing tells which, or whether the
/// account exists.
pub async fn request_any_code(state: &AppState, email: &Email) -> Result<(), ApiError> {
    if let Some(user) = state.secrets.user_by_email(email).await? {
        if !user.is_active && !user.is_email_verified {
            send(state, &user, Purpose::Activation).await?;
        } else if user.is_active {
            send(state, &user, Purpose::Login).await?;
        }
    }
    Ok(())
}

async fn send(state: &AppState, user: &User, purpose: Purpose) -> Result<(), ApiError> {
    if state.secrets.send_code(user, purpose).await? {
        state.jobs_wake.notify_one();
    }
    Ok(())
}

/// Trades an emailed login code for a session; the code is used up.
pub async fn code_login(
    state: &AppState,
    email: &Email,
    code: &OtpCode,
    device: Device,
) -> Result<(TokenPair, User), ApiError> {
    let checked = state.secrets.check_code(email, Purpose::Login, code).await;
    let secret = match checked {
        Ok((user, secret)) if user.is_active => secret,
        Ok((user, _)) => {
            failed(state, &device, Some(user.id), "code").await;
            return Err(SecretError::Invalid.into());
        }
        Err(SecretError::Invalid) => {
            tracing::info!(client.ip = %device.ip, "login by emailed code failed");
            let known = state.secrets.user_by_email(email).await?.map(|u| u.id);
            failed(state, &device, known, "code").await;
            return Err(SecretError::Invalid.into());
        }
        Err(e) => return Err(e.into()),
    };
    let mut user = state
        .secrets
        .redeem(&secret, Redemption::Consume)
        .await?
        .user;
    super::mfa::demand_second_factor(state, &user).await?;
    let succeeded = state.audit.event(AuditEvent::LoginSucceeded, &device);
    let pair = state
        .sessions
        .open(&user, device, succeeded, "code")
        .await?;
    user.last_login = Some(state.clock.now());
    tracing::info!(user.id = %user.id, session.id = %pair.session, "login by emailed code");
    Ok((pair, user))
}
