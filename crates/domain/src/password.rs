//! The one password policy, applied wherever a password is set (register, change, reset, invite,
//! admin): a minimum length, not all digits, not close to the username or email, not on the
//! common-passwords list. These are Django's four default validators, so a password Django
//! would refuse is refused here too.

use std::fmt;

/// Longest password accepted. Argon2 copes with any length, but a bound keeps request cost
/// predictable and is far beyond any passphrase.
pub const MAX_LEN: usize = 1024;

/// Django's list of 19,640 common passwords, one a line, lowercase, each line (the first too)
/// between two newlines. A password is looked up by searching for `\n<password>\n`: about
/// 160 KB scanned per new password, next to a 19 MiB Argon2id hash, where a `HashSet` held
/// about 0.6 MB for as long as the server ran.
const COMMON: &str = concat!("\n", include_str!("../data/common-passwords.txt"));

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
#[derive(Debug)]
pub struct PasswordPolicy {
    min_length: usize,
}

impl PasswordPolicy {
    pub fn new(min_length: usize) -> Self {
        Self { min_length }
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
        if is_common(&value.to_lowercase()) {
            problems.push("This password is too common.".to_owned());
        }
        if problems.is_empty() {
            Ok(password)
        } else {
            Err(PasswordError(problems))
        }
    }
}

/// Whether `password` (lowercased) is a whole line of the common-passwords list, ignoring
/// surrounding whitespace. One with a newline inside could only match across lines, so never is.
fn is_common(password: &str) -> bool {
    let password = password.trim();
    !password.is_empty() && !password.contains('\n') && COMMON.contains(&format!("\n{password}\n"))
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
    fn knows_the_first_last_and_spaced_entries_of_the_common_list_and_nothing_across_lines() {
        for common in [
            "123456",
            "fallen_angel",
            "friend of emily",
            " Password ",
            "QWERTY",
        ] {
            assert!(super::is_common(&common.to_lowercase()), "{common:?}");
        }
        for other in [
            "zq9-unlisted",
            "fallen_angel2",
            "friend of",
            "qwerty\npassword",
            "",
            "\n",
        ] {
            assert!(!super::is_common(other), "{other:?}");
        }
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
