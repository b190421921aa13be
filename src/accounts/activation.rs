//! Proving the address of a new account with the code emailed at registration.

use gatehouse_domain::{AuditEvent, Email, OtpCode, Purpose, Redemption, User};

use crate::app::AppState;
use crate::auth::Device;
use crate::http::error::ApiError;

/// Activates the account `email` names if `code` is its live activation code.
pub async fn activate(
    state: &AppState,
    email: &Email,
    code: &OtpCode,
    device: &Device,
) -> Result<User, ApiError> {
    let (_, secret) = state
        .secrets
        .check_code(email, Purpose::Activation, code)
        .await?;
    let redeemed = state.secrets.redeem(&secret, Redemption::Activate).await?;
    state.sessions.user_changed(redeemed.user.id).await;
    tracing::info!(user.id = %redeemed.user.id, client.ip = %device.ip, "account activated");
    state
        .audit
        .event(AuditEvent::AccountActivated, device)
        .target(redeemed.user.id)
        .record()
        .await;
    Ok(redeemed.user)
}

/// Sends a new activation code if `email` belongs to an account not yet verified; nothing tells
/// whether it did.
pub async fn resend(state: &AppState, email: &Email) -> Result<(), ApiError> {
    if let Some(user) = state.secrets.user_by_email(email).await?
        && !user.is_email_verified
        && state.secrets.send_code(&user, Purpose::Activation).await?
    {
        state.jobs_wake.notify_one();
    }
    Ok(())
}
