//! The user directory: who may be listed, in what order, a page at a time, and what staff may
//! change on someone else's account. Search and ordering are closed sets parsed here, so the
//! stores only ever splice known column names into SQL.

use crate::{ParseError, Role, User};

/// A column the list may be ordered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserOrderField {
    Id,
    Username,
    Email,
    FirstName,
    LastName,
    Role,
    DateJoined,
    LastLogin,
}

impl UserOrderField {
    const ALL: [Self; 8] = [
        Self::Id,
        Self::Username,
        Self::Email,
        Self::FirstName,
        Self::LastName,
        Self::Role,
        Self::DateJoined,
        Self::LastLogin,
    ];

    /// The API name, which is also the column name in both stores.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Id => "id",
            Self::Username => "username",
            Self::Email => "email",
            Self::FirstName => "first_name",
            Self::LastName => "last_name",
            Self::Role => "role",
            Self::DateJoined => "date_joined",
            Self::LastLogin => "last_login",
        }
    }
}

/// `?ordering=` as DRF spells it: a field name, `-` in front for descending.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UserOrdering {
    pub field: UserOrderField,
    pub descending: bool,
}

impl Default for UserOrdering {
    fn default() -> Self {
        Self {
            field: UserOrderField::Id,
            descending: false,
        }
    }
}

impl UserOrdering {
    /// Parses `field` or `-field`, offering only `allowed`.
    pub fn parse(raw: &str, allowed: &[UserOrderField]) -> Result<Self, ParseError> {
        let (descending, name) = match raw.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, raw),
        };
        UserOrderField::ALL
            .into_iter()
            .find(|f| f.as_str() == name && allowed.contains(f))
            .map(|field| Self { field, descending })
            .ok_or_else(|| {
                let names: Vec<&str> = allowed.iter().map(|f| f.as_str()).collect();
                ParseError::new(format!(
                    "\"{raw}\" is not a field you can order by; choose one of: {} \
                     (prefix with - for descending).",
                    names.join(", ")
                ))
            })
    }

    /// Every field, for staff.
    pub fn all_fields() -> &'static [UserOrderField] {
        &UserOrderField::ALL
    }
}

/// Which fields `search` matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchScope {
    /// Username and names: what any member may look up.
    Public,
    /// Also the email address: staff only, or the list would confirm who has an account.
    WithEmail,
}

/// One page of the user list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserQuery {
    pub role: Option<Role>,
    /// Case-insensitive substring; matched literally (`%` and `_` are not wildcards).
    pub search: Option<String>,
    pub scope: SearchScope,
    /// Whether staff and superusers are listed.
    pub include_staff: bool,
    /// Whether inactive accounts (deactivated, or not yet verified) are listed.
    pub include_inactive: bool,
    pub ordering: UserOrdering,
    pub offset: u64,
    pub limit: u32,
}

/// A page of users and the total the query matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserPage {
    pub total: u64,
    pub users: Vec<User>,
}

/// What staff may change on another account; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountPatch {
    pub is_active: Option<bool>,
    pub role: Option<Role>,
    pub is_staff: Option<bool>,
}

impl AccountPatch {
    pub fn is_empty(&self) -> bool {
        self.is_active.is_none() && self.role.is_none() && self.is_staff.is_none()
    }
}

/// The pattern for a literal substring match with `LIKE … ESCAPE '\'`.
pub fn like_pattern(term: &str) -> String {
    let mut out = String::with_capacity(term.len() + 2);
    out.push('%');
    for c in term.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

#[cfg(test)]
mod tests {
    use super::{UserOrderField, UserOrdering, like_pattern};

    #[test]
    fn ordering_parses_direction_and_refuses_other_fields() {
        let public = [UserOrderField::Username, UserOrderField::DateJoined];
        assert_eq!(
            UserOrdering::parse("-date_joined", &public),
            Ok(UserOrdering {
                field: UserOrderField::DateJoined,
                descending: true
            })
        );
        assert!(UserOrdering::parse("email", &public).is_err());
        assert!(UserOrdering::parse("password_hash", UserOrdering::all_fields()).is_err());
        assert!(UserOrdering::parse("--id", UserOrdering::all_fields()).is_err());
    }

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(like_pattern("a%b_c\\"), "%a\\%b\\_c\\\\%");
    }
}
