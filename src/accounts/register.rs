//! Sign-up. The account starts inactive, with its activation email in the same transaction,
//! when email verification is required; active at once otherwise.

use chrono::NaiveDate;
use gatehouse_domain::{Email, NewUser, PlainPassword, PublicId, Role, User, Username};

use crate::app::AppState;
use crate::config::EmailVerification;
use crate::http::error::ApiError;

/// A sign-up whose fields have all been parsed, the password already checked by the policy.
#[derive(Debug)]
pub struct Registration {
    pub username: Username,
    pub email: Email,
    pub password: PlainPassword,
    pub first_name: String,
    pub last_name: String,
    pub phone_number: String,
    pub date_of_birth: Option<NaiveDate>,
    pub gender: String,
    pub role: Role,
}

/// Creates the account; a taken username or email is a 400 on that field.
pub async fn register(state: &AppState, input: Registration) -> Result<User, ApiError> {
    let password_hash = state.passwords.hash(&input.password).await?;
    let verify = state.config.email_verification == EmailVerification::Required;
    let new_user = NewUser {
        public_id: PublicId::random(),
        username: input.username,
        email: input.email,
        password_hash,
        first_name: input.first_name,
        last_name: input.last_name,
        phone_number: input.phone_number,
        date_of_birth: input.date_of_birth,
        gender: input.gender,
        role: input.role,
        is_active: !verify,
        is_email_verified: false,
        is_staff: false,
        is_superuser: false,
        date_joined: state.clock.now(),
    };
    let user = if verify {
        let user = state.secrets.register(new_user).await?;
        state.jobs_wake.notify_one();
        user
    } else {
        state.store.create_user(new_user).await?
    };
    tracing::info!(user.id = %user.id, "user registered");
    Ok(user)
}
