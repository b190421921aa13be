//! The TOTP second factor's use cases: enrol, confirm, disable, and the second step of a login,
//! which trades a challenge and a code for a session. Each records its audit entry; none logs a
//! secret, code or token.

use chrono::TimeDelta;
use gatehouse_domain::{AuditEvent, AuditQuery, OtpCode, User};
use serde_json::json;

use crate::accounts::password::confirm_current;
use crate::app::AppState;
use crate::auth::mfa::{Answer, MfaError};
use crate::auth::{Device, TokenPair};
use crate::http::error::ApiError;

/// Wrong second-factor codes an account may see within `FAILURE_WINDOW`, across all its
/// challenges and all client addresses, before it gets no new challenge until the window moves.
const FAILURES_ALLOWED: u64 = 10;
const FAILURE_WINDOW: TimeDelta = TimeDelta::minutes(15);

/// Ends a login whose first factor was right with a challenge (`ApiError::MfaRequired`) when
/// the account has a second factor; does nothing otherwise.
///
/// Each challenge allows 5 wrong codes, and the rate limiter counts failures per address; this
/// caps them per account too, from the audit log every node writes, so someone who has the
/// password cannot try codes from many addresses at once. (They can keep the owner from logging
/// in for the window, but only with the password, which the owner should then change.)
pub async fn demand_second_factor(state: &AppState, user: &User) -> Result<(), ApiError> {
    let required = state.mfa.is_required(user.id).await?;
    demand_second_factor_when(state, user, required).await
}

/// [`demand_second_factor`] for a caller that has already read whether the account has a
/// second factor (a password login reads it with the password hash, one query fewer).
pub async fn demand_second_factor_when(
    state: &AppState,
    user: &User,
    required: bool,
) -> Result<(), ApiError> {
    if !required {
        return Ok(());
    }
    let recent = AuditQuery {
        user: Some(user.id),
        event: Some(AuditEvent::MfaFailed),
        since: Some(state.clock.now() - FAILURE_WINDOW),
        limit: 1,
        ..AuditQuery::default()
    };
    if state.store.audit_entries(&recent).await?.total >= FAILURES_ALLOWED {
        tracing::warn!(user.id = %user.id, "second factor refused: too many wrong codes");
        return Err(ApiError::Throttled {
            retry_after: FAILURE_WINDOW.num_seconds().unsigned_abs(),
        });
    }
    let challenge = state.mfa.challenge(user).await?;
    tracing::info!(user.id = %user.id, "login needs a second factor");
    Err(ApiError::MfaRequired(challenge))
}

/// A new (unconfirmed) TOTP secret: (base32 secret, otpauth URL).
pub async fn enrol(state: &AppState, user: &User) -> Result<(String, String), ApiError> {
    let shown = state.mfa.enrol(user).await?;
    tracing::info!(user.id = %user.id, "totp enrolment started");
    Ok(shown)
}

/// Turns TOTP on with a first code; returns the recovery codes (shown once).
pub async fn confirm(
    state: &AppState,
    user: &User,
    code: &OtpCode,
    device: &Device,
) -> Result<Vec<String>, ApiError> {
    match state.mfa.confirm(user, code).await {
        Ok(recovery) => {
            tracing::info!(user.id = %user.id, "totp enabled");
            state
                .audit
                .event(AuditEvent::MfaEnabled, device)
                .by_self(user.id)
                .detail(&json!({"method": "totp"}))
                .record()
                .await;
            Ok(recovery)
        }
        Err(e) => Err(field_error(state, user, device, "confirm", e).await),
    }
}

/// Turns TOTP off; needs the password and a TOTP or recovery code.
pub async fn disable(
    state: &AppState,
    user: &User,
    password: &str,
    answer: &Answer,
    device: &Device,
) -> Result<(), ApiError> {
    confirm_current(state, user.id, password, "password").await?;
    match state.mfa.disable(user, answer).await {
        Ok(()) => {
            tracing::info!(user.id = %user.id, "totp disabled");
            state
                .audit
                .event(AuditEvent::MfaDisabled, device)
                .by_self(user.id)
                .detail(&json!({"method": "totp"}))
                .record()
                .await;
            Ok(())
        }
        Err(e) => Err(field_error(state, user, device, "disable", e).await),
    }
}

/// The second step of a login: the challenge and a code (or recovery code) for a session.
pub async fn complete_login(
    state: &AppState,
    token: &str,
    answer: &Answer,
    device: Device,
) -> Result<(TokenPair, User), ApiError> {
    let mut user = match state.mfa.pass(token, answer).await {
        Ok(user) => user,
        Err(MfaError::WrongCode(id)) => {
            tracing::info!(user.id = %id, client.ip = %device.ip, "wrong second-factor code");
            failed(state, &device, id, "login").await;
            return Err(MfaError::WrongCode(id).into());
        }
        Err(e) => return Err(e.into()),
    };
    if !user.is_active {
        return Err(ApiError::invalid_credentials());
    }
    let method = match answer {
        Answer::Totp(_) => "totp",
        Answer::Recovery(_) => "recovery_code",
    };
    let succeeded = state.audit.event(AuditEvent::LoginSucceeded, &device);
    let pair = state
        .sessions
        .open(&user, device, succeeded, method)
        .await?;
    user.last_login = Some(state.clock.now());
    tracing::info!(user.id = %user.id, session.id = %pair.session, "login with a second factor");
    Ok((pair, user))
}

/// A wrong code on the enrolment endpoints is a 400 on `code`; the rest as `ApiError`.
async fn field_error(
    state: &AppState,
    user: &User,
    device: &Device,
    step: &str,
    e: MfaError,
) -> ApiError {
    match e {
        MfaError::WrongCode(id) => {
            failed(state, device, id, step).await;
            ApiError::field("code", "The code is invalid or was already used.")
        }
        other => {
            tracing::info!(user.id = %user.id, step, error = %other, "totp change refused");
            other.into()
        }
    }
}

async fn failed(state: &AppState, device: &Device, user: gatehouse_domain::UserId, step: &str) {
    state
        .audit
        .event(AuditEvent::MfaFailed, device)
        .target(user)
        .detail(&json!({"step": step}))
        .record()
        .await;
}
