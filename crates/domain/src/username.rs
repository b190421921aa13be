//! A username under Django's rules: at most 150 characters of letters, digits and `@.+-_`.
//!
//! Usernames are unique case-insensitively in both stores, so `Ann` and `ann` cannot be two
//! people (Django allows that; it invites impersonation).

use crate::ParseError;

pub const MAX_LEN: usize = 150;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Username(String);

impl Username {
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        let value = raw.trim();
        if value.is_empty() {
            return Err(ParseError::new("This field may not be blank."));
        }
        if value.chars().count() > MAX_LEN {
            return Err(ParseError::new(format!(
                "Ensure this field has no more than {MAX_LEN} characters."
            )));
        }
        if !value
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '@' | '.' | '+' | '-' | '_'))
        {
            return Err(ParseError::new(
                "Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters.",
            ));
        }
        Ok(Self(value.to_owned()))
    }
}

impl AsRef<str> for Username {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::Username;

    #[test]
    fn accepts_django_usernames_and_refuses_others() {
        assert!(Username::parse("ann.lee+1@x_y-z").is_ok());
        assert!(Username::parse("ann lee").is_err());
        assert!(Username::parse("").is_err());
        assert!(Username::parse(&"a".repeat(151)).is_err());
    }
}
