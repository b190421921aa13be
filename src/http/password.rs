//! `/api/v1/auth/password/change/`: a new password for a caller who knows the old one. Every
//! other session ends; this one continues with a fresh token pair.

use axum::Router;
use axum::extract::State;
use axum::routing::post;
use gatehouse_domain::PlainPassword;
use serde::Deserialize;

use super::dto::TokensOut;
use super::error::ApiError;
use super::extract::{AuthUser, Json};
use super::validate::Checks;
use crate::app::AppState;
use crate::auth::Verdict;
use crate::jobs::Job;
use crate::mail::{MailKind, Outgoing};

pub fn router() -> Router<AppState> {
    Router::new().route("/password/change/", post(change))
}

#[derive(Debug, Deserialize)]
#[expect(
    clippy::struct_field_names,
    reason = "the wire names of djoser's set_password"
)]
pub struct ChangeBody {
    old_password: Option<String>,
    new_password: Option<String>,
    re_new_password: Option<String>,
}

async fn change(
    State(state): State<AppState>,
    caller: AuthUser,
    Json(body): Json<ChangeBody>,
) -> Result<TokensOut, ApiError> {
    let mut c = Checks::new();
    let old = c.required("old_password", body.old_password.as_deref());
    let new = c.required("new_password", body.new_password.as_deref());
    let again = c.required("re_new_password", body.re_new_password.as_deref());
    if let (Some(new), Some(again)) = (new, again)
        && new != again
    {
        c.add("re_new_password", "The two password fields didn't match.");
    }
    let user = &caller.user;
    let new = new.and_then(|p| {
        match state.policy.check(
            p.to_owned(),
            &[
                &user.username,
                &user.email,
                &user.first_name,
                &user.last_name,
            ],
        ) {
            Ok(p) => Some(p),
            Err(e) => {
                e.0.into_iter().for_each(|m| c.add("new_password", m));
                None
            }
        }
    });
    c.finish()?;
    let (Some(old), Some(new)) = (old, new) else {
        return Err(ApiError::Internal(anyhow::anyhow!(
            "validated password fields missing"
        )));
    };
    confirm_current(&state, user.id, old, "old_password").await?;
    let hash = state.passwords.hash(&new).await?;
    let now = state.sessions.now();
    let expires = now + state.config.refresh_ttl;
    let notice = Job::email(
        Outgoing::new(&user.email, &user.username, MailKind::PasswordChanged),
        now,
    )?;
    let ended = state
        .store
        .change_password(user.id, &hash, caller.session, now, expires, &notice)
        .await?;
    state.jobs_wake.notify_one();
    state.sessions.announce_revoked(&ended).await;
    let session = state
        .store
        .session(caller.session)
        .await?
        .ok_or(ApiError::NotFound)?;
    let pair = state
        .sessions
        .pair(user, session.id, session.counter, now)?;
    tracing::info!(user.id = %user.id, other_sessions_ended = ended.len(), "password changed");
    Ok(TokensOut::new(pair, None))
}

/// Checks that `raw` is the user's current password; a mismatch is a 400 on `field`. Every
/// endpoint that asks for the current password (change, email change, account deletion) uses it.
pub(super) async fn confirm_current(
    state: &AppState,
    user: gatehouse_domain::UserId,
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
