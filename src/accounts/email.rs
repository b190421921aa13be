//! Moving an account to a new address: a code sent to the new address proves it, and asking
//! needs the current password, so a stolen access token alone cannot move the account (and from
//! there reset its password). The old address is told afterwards.

use gatehouse_domain::{AuditEvent, Email, OtpCode, Purpose, Redemption, User};
use serde_json::json;

use super::password::confirm_current;
use crate::app::AppState;
use crate::auth::Device;
use crate::http::error::ApiError;
use crate::jobs::Job;
use crate::mail::{MailKind, Outgoing};

/// Sends a confirmation code to `new` if `password` is right and `new` is free.
pub async fn request_change(
    state: &AppState,
    user: &User,
    new: &Email,
    password: &str,
    device: &Device,
) -> Result<(), ApiError> {
    confirm_current(state, user.id, password, "password").await?;
    if state.secrets.user_by_email(new).await?.is_some() {
        return Err(ApiError::field(
            "email",
            "A user with that email already exists.",
        ));
    }
    // The caller is known, so a throttled request may say so (no account is revealed).
    if !state.secrets.send_email_change_code(user, new).await? {
        return Err(ApiError::Throttled {
            retry_after: state.config.code_cooldown.as_secs().max(1),
        });
    }
    state.jobs_wake.notify_one();
    tracing::info!(user.id = %user.id, client.ip = %device.ip, "email change requested");
    Ok(())
}

/// Moves the account to the address the live email-change `code` confirms.
pub async fn confirm_change(
    state: &AppState,
    user: User,
    code: &OtpCode,
    device: &Device,
) -> Result<User, ApiError> {
    let old = user.clone();
    let now = state.clock.now();
    let (_, secret) = state
        .secrets
        .check_user_code(user, Purpose::EmailChange, code, now)
        .await?;
    let notice = Job::email(
        Outgoing::new(
            &old.email,
            &old.username,
            MailKind::EmailChanged {
                new_email: secret.target.clone(),
            },
        ),
        now,
    )?;
    let user = state
        .secrets
        .redeem(&secret, Redemption::ChangeEmail { notice })
        .await?
        .user;
    state.sessions.user_changed(user.id).await;
    state.jobs_wake.notify_one();
    tracing::info!(user.id = %user.id, client.ip = %device.ip, "email address changed");
    state
        .audit
        .event(AuditEvent::EmailChanged, device)
        .by_self(user.id)
        .detail(&json!({"from": old.email, "to": user.email}))
        .record()
        .await;
    Ok(user)
}
