//! The one password policy, applied wherever a password is set (register, change, reset, invite,
//! admin): a minimum length, not all digits, not close to the username or email, not on the
//! common-passwords list. These are Django's four default validators, so a password Django
//! would refuse is refused here too.

use std::collections::HashSet;
use std::fmt;

/// Longest password accepted. Argon2 copes with any length, but a bound keeps request cost
/// predictable and is far beyond any passphrase.
pub const MAX_LEN: usize = 1024;

const COMMON: &str = include_str!("../data/common-passwords.txt");

/// A password as typed. It has no `Display` and its `Debug` is redacted, so it cannot reach a log
/// by accident.
#[derive(Clone)]
pub struct PlainPassword(String);

impl PlainPassword {
    /// Wraps a password for checking against a hash; only the length bound applies here, so an
    /// old password that predates the policy still verifies.
    pub fn new(raw: String) -> Result<Self, PasswordError> {
        if raw.is_empty() {
            return Err(PasswordError(vec!["This field may not be blank.".into()]));
        }
        if raw.chars().count() > MAX_LEN {
            return Err(PasswordError(vec![format!(
                "Ensure this field has no more than {MAX_LEN} characters."
            )]));
        }
        Ok(Self(raw))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for PlainPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PlainPassword(<redacted>)")
    }
}

/// Every reason a password was refused, in the order the checks ran; safe to show the caller.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", .0.join(" "))]
pub struct PasswordError(pub Vec<String>);

/// The configured policy.
pub struct PasswordPolicy {
    min_length: usize,
    common: HashSet<&'static str>,
}

impl fmt::Debug for PasswordPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PasswordPolicy")
            .field("min_length", &self.min_length)
            .field("common", &self.common.len())
            .finish()
    }
}

impl PasswordPolicy {
    pub fn new(min_length: usize) -> Self {
        Self {
            min_length,
            common: COMMON
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect(),
        }
    }

    /// Checks a new password for the account with these identifiers (username, email, names).
    pub fn check(&self, raw: String, identifiers: &[&str]) -> Result<PlainPassword, PasswordError> {
        let password = PlainPassword::new(raw)?;
        let value = password.expose();
        let mut problems = Vec::new();
        if value.chars().count() < self.min_length {
            problems.push(format!(
                "This password is too short. It must contain at least {} characters.",
                self.min_length
            ));
        }
        if value.chars().all(|c| c.is_ascii_digit()) {
            problems.push("This password is entirely numeric.".to_owned());
        }
        if identifiers.iter().any(|id| too_similar(value, id)) {
            problems.push("The password is too similar to your personal information.".to_owned());
        }
        if self.common.contains(value.to_lowercase().trim()) {
            problems.push("This password is too common.".to_owned());
        }
        if problems.is_empty() {
            Ok(password)
        } else {
            Err(PasswordError(problems))
        }
    }
}

/// True when one contains the other (ignoring case), for identifiers of at least 3 characters;
/// an email counts by its whole and by its local part.
fn too_similar(password: &str, identifier: &str) -> bool {
    let password = password.to_lowercase();
    let identifier = identifier.to_lowercase();
    let local = identifier.split('@').next().unwrap_or_default().to_owned();
    [identifier, local]
        .iter()
        .filter(|id| id.chars().count() >= 3)
        .any(|id| password.contains(id.as_str()) || id.contains(password.as_str()))
}

#[cfg(test)]
mod tests {
    use super::PasswordPolicy;

    #[test]
    fn refuses_short_numeric_common_and_personal_passwords() {
        let policy = PasswordPolicy::new(8);
        assert!(policy.check("short1".into(), &[]).is_err());
        assert!(policy.check("1234567890123".into(), &[]).is_err());
        assert!(policy.check("password123".into(), &[]).is_err());
        assert!(
            policy
                .check("annabelle-2024".into(), &["annabelle"])
                .is_err()
        );
        assert!(
            policy
                .check("x-ann.lee-x9".into(), &["ann.lee@example.com"])
                .is_err()
        );
    }

    #[test]
    fn accepts_a_reasonable_passphrase() {
        let policy = PasswordPolicy::new(8);
        assert!(
            policy
                .check("correct horse battery".into(), &["ann", "ann@example.com"])
                .is_ok()
        );
    }

    #[test]
    fn debug_never_shows_the_password() {
        let policy = PasswordPolicy::new(8);
        let password = policy
            .check("correct horse battery".into(), &[])
            .expect("valid");
        assert!(!format!("{password:?}").contains("horse"));
    }
}
