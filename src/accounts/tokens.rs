//! Sessions after login: rotating a refresh token (where a replayed one is caught), checking an
//! access token, and ending sessions.

use gatehouse_domain::{AuditEvent, SessionId, User};
use serde_json::json;

use crate::app::AppState;
use crate::auth::{Claims, Device, RefreshError, TokenPair};
use crate::http::error::ApiError;

/// How a refresh answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rotation {
    /// A new refresh token each time (the canonical API, TLR, LIT).
    Rotate,
    /// A new access token only; the refresh token stays (SIN, DRA, TMA, whose clients keep it).
    Keep,
}

/// Refreshes with `token`; a replayed older token revokes its whole session (and says so).
pub async fn refresh(
    state: &AppState,
    token: &str,
    rotation: Rotation,
    device: &Device,
) -> Result<(TokenPair, User), ApiError> {
    let answer = match rotation {
        Rotation::Rotate => state.sessions.refresh(token).await,
        Rotation::Keep => state.sessions.reissue(token).await,
    };
    match answer {
        Ok(rotated) => Ok(rotated),
        Err(RefreshError::Reused) => {
            tracing::warn!(client.ip = %device.ip, "refresh token replayed; its session was revoked");
            if let Some(sid) = state.sessions.session_of(token)
                && let Some(session) = state.store.session(sid).await?
            {
                state
                    .audit
                    .event(AuditEvent::RefreshReuse, device)
                    .target(session.user_id)
                    .detail(&json!({"session": sid.0}))
                    .record()
                    .await;
            }
            Err(RefreshError::Reused.into())
        }
        Err(e) => Err(e.into()),
    }
}

/// The claims of a valid, unrevoked access token.
pub async fn verify(state: &AppState, token: &str) -> Result<Claims, ApiError> {
    Ok(state
        .sessions
        .access()
        .verify(token, state.sessions.now())
        .await?)
}

/// Ends the caller's session; `other_refresh`, if it names another session *of the caller*,
/// ends that one too (a client holding tokens of two logins). Anybody else's token is left alone.
pub async fn logout(
    state: &AppState,
    user: &User,
    session: SessionId,
    other_refresh: Option<&str>,
    device: &Device,
) -> Result<(), ApiError> {
    let now = state.sessions.now();
    let mut ended = Vec::new();
    if state.store.revoke_session(session, user.id, now).await? {
        ended.push(session);
    }
    if let Some(other) = other_refresh.and_then(|t| state.sessions.session_of(t))
        && other != session
        && state.store.revoke_session(other, user.id, now).await?
    {
        ended.push(other);
    }
    state.sessions.announce_revoked(&ended).await;
    tracing::info!(user.id = %user.id, session.id = %session, client.ip = %device.ip, "logout");
    state
        .audit
        .event(AuditEvent::Logout, device)
        .by_self(user.id)
        .detail(&json!({"sessions": ended.len()}))
        .record()
        .await;
    Ok(())
}

/// Ends every session of the caller.
pub async fn logout_all(state: &AppState, user: &User, device: &Device) -> Result<(), ApiError> {
    let ended = state
        .store
        .revoke_user_sessions(user.id, None, state.sessions.now())
        .await?;
    state.sessions.announce_revoked(&ended).await;
    tracing::info!(user.id = %user.id, sessions = ended.len(), client.ip = %device.ip, "logout everywhere");
    state
        .audit
        .event(AuditEvent::Logout, device)
        .by_self(user.id)
        .detail(&json!({"all": true, "sessions": ended.len()}))
        .record()
        .await;
    Ok(())
}

/// Ends one session of the caller's, by id; `NotFound` when it is not theirs or already ended.
pub async fn end_session(
    state: &AppState,
    user: &User,
    session: SessionId,
    device: &Device,
) -> Result<(), ApiError> {
    if !state
        .store
        .revoke_session(session, user.id, state.sessions.now())
        .await?
    {
        return Err(ApiError::NotFound);
    }
    state.sessions.announce_revoked(&[session]).await;
    tracing::info!(user.id = %user.id, session.id = %session, client.ip = %device.ip, "session revoked by its owner");
    state
        .audit
        .event(AuditEvent::SessionRevoked, device)
        .by_self(user.id)
        .detail(&json!({"session": session.0}))
        .record()
        .await;
    Ok(())
}
