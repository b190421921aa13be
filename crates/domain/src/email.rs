//! An email address, checked once at the edge.
//!
//! The check is deliberately structural (one `@`, a dotted domain, no spaces or control
//! characters, RFC 5321 lengths): deliverability is proven by the activation code, not by a regex.
//! Uniqueness is case-insensitive in both stores.

use crate::ParseError;

/// The longest address RFC 5321 lets through a mail system.
pub const MAX_LEN: usize = 254;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, ParseError> {
        let value = raw.trim();
        let invalid = || ParseError::new("Enter a valid email address.");
        if value.is_empty() {
            return Err(ParseError::new("This field may not be blank."));
        }
        if value.chars().count() > MAX_LEN {
            return Err(ParseError::new(format!(
                "Ensure this field has no more than {MAX_LEN} characters."
            )));
        }
        let (local, domain) = value.rsplit_once('@').ok_or_else(invalid)?;
        let bad_char = |c: char| c.is_whitespace() || c.is_control() || c == '@';
        if local.is_empty()
            || local.len() > 64
            || local.chars().any(bad_char)
            || domain.len() < 3
            || domain.chars().any(|c| bad_char(c) || c == '_')
            || !domain.contains('.')
            || domain.starts_with(['.', '-'])
            || domain.ends_with(['.', '-'])
            || domain.contains("..")
        {
            return Err(invalid());
        }
        // The domain part is case-insensitive by definition; the local part is kept as typed.
        Ok(Self(format!("{local}@{}", domain.to_lowercase())))
    }

    pub fn local_part(&self) -> &str {
        self.0
            .rsplit_once('@')
            .map_or(self.0.as_str(), |(local, _)| local)
    }
}

impl AsRef<str> for Email {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::Email;

    #[test]
    fn accepts_ordinary_addresses_and_lowercases_the_domain() {
        let email = Email::parse(" Ann.Lee+x@Example.COM ").map(|e| e.as_ref().to_owned());
        assert_eq!(email.as_deref(), Ok("Ann.Lee+x@example.com"));
    }

    #[test]
    fn refuses_what_cannot_be_an_address() {
        for raw in [
            "",
            "plain",
            "a@b",
            "a b@example.com",
            "@example.com",
            "a@.com",
            "a@x..com",
        ] {
            assert!(Email::parse(raw).is_err(), "{raw:?} was accepted");
        }
        assert!(Email::parse(&format!("{}@example.com", "a".repeat(250))).is_err());
    }
}
