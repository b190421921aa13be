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
    /// `(inviter, invitee)`: a non-staff user of the first role may invite users of the second.
    invites: Vec<(String, String)>,
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
            invites: Vec::new(),
        })
    }

    /// Adds invitation rules written `inviter:invitee`; both must be configured roles.
    pub fn with_invites(mut self, pairs: &[String]) -> Result<Self, ParseError> {
        for pair in pairs {
            let Some((from, to)) = pair.split_once(':') else {
                return Err(ParseError::new(format!(
                    "invitation rule {pair:?} is not of the form inviter:invitee"
                )));
            };
            let (from, to) = (from.trim(), to.trim());
            for role in [from, to] {
                self.parse(role)?;
            }
            self.invites.push((from.to_owned(), to.to_owned()));
        }
        Ok(self)
    }

    /// Whether a non-staff user of role `inviter` may invite anyone at all.
    pub fn may_invite_any(&self, inviter: &Role) -> bool {
        self.invites.iter().any(|(from, _)| *from == inviter.0)
    }

    /// Whether a non-staff user of role `inviter` may invite a user of `role`.
    pub fn may_invite(&self, inviter: &Role, role: &Role) -> bool {
        self.invites
            .iter()
            .any(|(from, to)| *from == inviter.0 && *to == role.0)
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
    fn invitation_rules_name_configured_roles() {
        let set = roles()
            .with_invites(&["employee:client".to_owned()])
            .expect("valid rules");
        let (employee, client) = (
            set.parse("employee").expect("role"),
            set.parse("client").expect("role"),
        );
        assert!(set.may_invite(&employee, &client));
        assert!(!set.may_invite(&client, &client));
        assert!(!set.may_invite(&employee, &employee));
        assert!(
            roles()
                .with_invites(&["employee:tailor".to_owned()])
                .is_err()
        );
        assert!(roles().with_invites(&["employee".to_owned()]).is_err());
    }

    #[test]
    fn signup_roles_must_be_roles() {
        assert!(RoleSet::new(vec!["client".into()], vec!["tailor".into()]).is_err());
    }
}
