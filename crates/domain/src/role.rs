//! Roles are data, not code: a configured set (default `client`, `employee`; a tailor shop uses
//! `customer`, `tailor`), of which a subset may be picked at sign-up. Staff and superuser are
//! flags on the user, as in Django, never roles.

use crate::ParseError;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Role(String);

impl Role {
    /// A role as read back from the store, trusted because only `RoleSet::parse` wrote it.
    pub fn from_store(value: String) -> Self {
        Self(value)
    }
}

impl AsRef<str> for Role {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// The configured roles: all of them, and those a user may choose for themself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleSet {
    all: Vec<String>,
    self_assignable: Vec<String>,
}

impl RoleSet {
    /// Builds the set; every self-assignable role must be one of `all`, and `all` is not empty.
    pub fn new(all: Vec<String>, self_assignable: Vec<String>) -> Result<Self, ParseError> {
        if all.is_empty() {
            return Err(ParseError::new("at least one role is required"));
        }
        if let Some(stray) = self_assignable.iter().find(|r| !all.contains(r)) {
            return Err(ParseError::new(format!(
                "sign-up role {stray:?} is not one of the roles {all:?}"
            )));
        }
        if self_assignable.is_empty() {
            return Err(ParseError::new("at least one sign-up role is required"));
        }
        Ok(Self {
            all,
            self_assignable,
        })
    }

    /// The role a new account gets when it names none: the first sign-up role.
    pub fn default_signup(&self) -> Role {
        Role(self.self_assignable[0].clone())
    }

    /// A role the caller may give themself.
    pub fn parse_self_assignable(&self, raw: &str) -> Result<Role, ParseError> {
        let role = self.parse(raw)?;
        if self.self_assignable.contains(&role.0) {
            Ok(role)
        } else {
            Err(ParseError::new(format!(
                "\"{raw}\" is not a role you can choose; choose one of: {}.",
                self.self_assignable.join(", ")
            )))
        }
    }

    /// Any configured role.
    pub fn parse(&self, raw: &str) -> Result<Role, ParseError> {
        if self.all.iter().any(|r| r == raw) {
            Ok(Role(raw.to_owned()))
        } else {
            Err(ParseError::new(format!(
                "\"{raw}\" is not a valid choice; choose one of: {}.",
                self.all.join(", ")
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::RoleSet;

    fn roles() -> RoleSet {
        RoleSet::new(
            vec!["client".into(), "employee".into()],
            vec!["client".into()],
        )
        .expect("valid role set")
    }

    #[test]
    fn only_signup_roles_are_self_assignable() {
        assert!(roles().parse_self_assignable("client").is_ok());
        assert!(roles().parse_self_assignable("employee").is_err());
        assert!(roles().parse("employee").is_ok());
        assert!(roles().parse("admin").is_err());
    }

    #[test]
    fn signup_roles_must_be_roles() {
        assert!(RoleSet::new(vec!["client".into()], vec!["tailor".into()]).is_err());
    }
}
