//! The parts of an account its owner may change themself. Password, email, staff and superuser
//! flags are not here on purpose: each has its own guarded path.

use chrono::NaiveDate;

use crate::{Role, Username};

/// A partial update: `None` leaves a field as it is. For `date_of_birth`, `Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct ProfilePatch {
    pub username: Option<Username>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub phone_number: Option<String>,
    pub date_of_birth: Option<Option<NaiveDate>>,
    pub gender: Option<String>,
    pub role: Option<Role>,
}

impl ProfilePatch {
    pub fn is_empty(&self) -> bool {
        self.username.is_none()
            && self.first_name.is_none()
            && self.last_name.is_none()
            && self.phone_number.is_none()
            && self.date_of_birth.is_none()
            && self.gender.is_none()
            && self.role.is_none()
    }
}
