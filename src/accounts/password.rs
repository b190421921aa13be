//! Changing a known password. Every other session of the user ends; the caller's continues with
//! a fresh token pair. Also the one check of "is this the current password" that email change
//! and account deletion share.

use gatehouse_domain::{AuditEvent, PlainPassword, SessionId, User, UserId};
use serde_json::json;

use crate::app::AppState;
use crate::auth::{Device, TokenPair, Verdict};
use crate::http::error::ApiError;
use crate::jobs::Job;
use crate::mail::{MailKind, Outgoing};

/// What a new password must not resemble.
pub fn identifiers(user: &User) -> [&str; 4] {
    [
        user.username.as_str(),
        user.email.as_str(),
        user.first_name.as_str(),
        user.last_name.as_str(),
    ]
}

/// Sets `new` (already accepted by the policy) if `old` — (wire field name, value) — is the
/// current password, else a 400 on that field; ends every other session of the user; emails a
/// notice; returns `session`'s next token pair.
pub async fn change(
    state: &AppState,
    user: &User,
    session: SessionId,
    old: (&str, &str),
    new: &PlainPassword,
    device: &Device,
) -> Result<TokenPair, ApiError> {
    let (old_field, old) = old;
    confirm_current(state, user.id, old, old_field).await?;
    let hash = state.passwords.hash(new).await?;
    let now = state.sessions.now();
    let expires = now + state.config.refresh_ttl;
    let notice = Job::email(
        Outgoing::new(&user.email, &user.username, MailKind::PasswordChanged),
        now,
    )?;
    let ended = state
        .store
        .change_password(user.id, &hash, session, now, expires, &notice)
        .await?;
    state.jobs_wake.notify_one();
    state.sessions.announce_revoked(&ended).await;
    let session = state
        .store
        .session(session)
        .await?
        .ok_or(ApiError::NotFound)?;
    let pair = state
        .sessions
        .pair(user, session.id, session.counter, now)?;
    tracing::info!(user.id = %user.id, other_sessions_ended = ended.len(), client.ip = %device.ip, "password changed");
    state
        .audit
        .event(AuditEvent::PasswordChanged, device)
        .by_self(user.id)
        .detail(&json!({"other_sessions_ended": ended.len()}))
        .record()
        .await;
    Ok(pair)
}

/// Checks that `raw` is the user's current password; a mismatch is a 400 on `field`.
pub async fn confirm_current(
    state: &AppState,
    user: UserId,
    raw: &str,
    field: &str,
) -> Result<(), ApiError> {
    let password =
        PlainPassword::new(raw.to_owned()).map_err(|e| ApiError::field(field, e.to_string()))?;
    let stored = state
        .store
        .credentials_by_id(user)
        .await?
        .ok_or(ApiError::NotFound)?;
    if state
        .passwords
        .verify(&password, Some(&stored.password_hash))
        .await?
        == Verdict::Invalid
    {
        return Err(ApiError::field(field, "Wrong password."));
    }
    Ok(())
}
