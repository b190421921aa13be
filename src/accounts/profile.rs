//! The caller's own account: profile changes and deletion.

use gatehouse_domain::{AuditEvent, ProfilePatch, User};
use serde_json::json;

use super::password::confirm_current;
use crate::app::AppState;
use crate::auth::Device;
use crate::http::error::ApiError;

/// Applies a parsed patch (an empty one changes nothing); returns the user as stored now.
pub async fn update(state: &AppState, user: User, patch: &ProfilePatch) -> Result<User, ApiError> {
    if patch.is_empty() {
        return Ok(user);
    }
    let user = state.store.update_profile(user.id, patch).await?;
    state.sessions.user_changed(user.id).await;
    tracing::info!(user.id = %user.id, "profile updated");
    Ok(user)
}

/// Deletes the account for good if `current_password` — (wire field name, value) — is right,
/// else a 400 on that field; its sessions and tokens die with it.
pub async fn delete(
    state: &AppState,
    user: &User,
    current_password: (&str, &str),
    device: &Device,
) -> Result<(), ApiError> {
    let (field, password) = current_password;
    confirm_current(state, user.id, password, field).await?;
    let ended = state
        .store
        .delete_user(user.id, state.sessions.now())
        .await?;
    state.sessions.announce_revoked(&ended).await;
    state.sessions.user_changed(user.id).await;
    tracing::info!(user.id = %user.id, client.ip = %device.ip, "account deleted by its owner");
    state
        .audit
        .event(AuditEvent::AccountDeleted, device)
        .by_self(user.id)
        .detail(&json!({"username": user.username}))
        .record()
        .await;
    Ok(())
}
