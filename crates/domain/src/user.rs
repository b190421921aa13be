//! The account as every layer sees it. The password hash is deliberately not a field: only
//! `Credentials` carries it, and only the login and password paths ask for that.

use chrono::{DateTime, NaiveDate, Utc};

use crate::{Email, PublicId, Role, UserId, Username};

#[derive(Debug, Clone, PartialEq, Eq)]
#[expect(
    clippy::struct_excessive_bools,
    reason = "Django's account flags, each independent"
)]
pub struct User {
    pub id: UserId,
    pub public_id: PublicId,
    pub username: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub phone_number: String,
    pub date_of_birth: Option<NaiveDate>,
    pub gender: String,
    pub role: Role,
    pub is_active: bool,
    pub is_email_verified: bool,
    pub is_staff: bool,
    pub is_superuser: bool,
    pub date_joined: DateTime<Utc>,
    pub last_login: Option<DateTime<Utc>>,
}

impl User {
    /// Staff powers: the staff flag, or a superuser (who has every power).
    pub fn is_staff_member(&self) -> bool {
        self.is_staff || self.is_superuser
    }
}

/// A user about to be created; the store assigns `id`.
#[derive(Debug, Clone)]
#[expect(
    clippy::struct_excessive_bools,
    reason = "Django's account flags, each independent"
)]
pub struct NewUser {
    pub public_id: PublicId,
    pub username: Username,
    pub email: Email,
    pub password_hash: String,
    pub first_name: String,
    pub last_name: String,
    pub phone_number: String,
    pub date_of_birth: Option<NaiveDate>,
    pub gender: String,
    pub role: Role,
    pub is_active: bool,
    pub is_email_verified: bool,
    pub is_staff: bool,
    pub is_superuser: bool,
    pub date_joined: DateTime<Utc>,
}
