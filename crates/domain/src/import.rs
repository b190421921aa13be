//! Users imported from another application (a Django site), and the rules a re-run follows.
//!
//! An import must be repeatable: the source stays in use while people move over, so running it
//! again updates the accounts it made instead of adding new ones. Each imported account carries
//! an `ImportKey` naming the row it came from; that key, not the username or email (which either
//! side may change), is what a re-run matches on.

use chrono::{DateTime, NaiveDate, Utc};

use crate::{Email, ParseError, Role, UserId, Username};

/// Where an imported account came from: `<source>:<table>:<primary key>`, e.g.
/// `django:auth_user:42`. Unique among users; accounts made in gatehouse have none.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ImportKey(String);

impl ImportKey {
    /// Builds the key; no part may be blank or contain a colon except the last (a primary key
    /// is data and may hold anything printable).
    pub fn new(source: &str, table: &str, pk: &str) -> Result<Self, ParseError> {
        for (what, part) in [("source", source), ("table", table)] {
            if part.is_empty() || part.contains(':') {
                return Err(ParseError::new(format!(
                    "the {what} name must be non-empty and free of ':'"
                )));
            }
        }
        if pk.trim().is_empty() || pk.chars().any(char::is_control) {
            return Err(ParseError::new("the primary key is blank"));
        }
        Ok(Self(format!("{source}:{table}:{pk}")))
    }
}

impl AsRef<str> for ImportKey {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// One account as the source has it. Optional fields are those a source may not have: `None`
/// gives a new account the usual default (empty text, no date, active, not staff, not
/// superuser, email not verified) and leaves an existing one's value as it is.
/// `date_of_birth` is as in `ProfilePatch`: `Some(None)` is a source that has the column, empty.
#[derive(Debug, Clone)]
pub struct ImportedUser {
    pub key: ImportKey,
    /// The id to keep when creating the account, if no user has it yet (the source's integer
    /// primary key, so the other tables of the source application still point at the right
    /// people). Ignored on update.
    pub wanted_id: Option<UserId>,
    pub username: Username,
    pub email: Email,
    /// The source's hash (a Django hash, or one that can never verify, starting with `!`).
    /// On update it replaces the stored hash only while that is not a gatehouse hash: a PHC
    /// string (starting with `$`) means the user set or upgraded their password in gatehouse.
    pub password_hash: String,
    /// `None`: the source has no role; a new account gets `default_role`.
    pub role: Option<Role>,
    pub default_role: Role,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub phone_number: Option<String>,
    pub date_of_birth: Option<Option<NaiveDate>>,
    pub gender: Option<String>,
    pub is_active: Option<bool>,
    pub is_email_verified: Option<bool>,
    pub is_staff: Option<bool>,
    pub is_superuser: Option<bool>,
    /// `None`: the new account joined at `imported_at`.
    pub date_joined: Option<DateTime<Utc>>,
    /// Only ever moves forward: a login in gatehouse after the source's last one is kept.
    pub last_login: Option<DateTime<Utc>>,
    pub imported_at: DateTime<Utc>,
}

/// What `Store::import_user` did (or, on a dry run, would have done).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportOutcome {
    /// A new account, with the id it got.
    Created(UserId),
    /// The account made by an earlier run of the same import was brought up to date.
    Updated {
        id: UserId,
        /// The stored hash is a gatehouse hash (the user changed or upgraded their password in
        /// gatehouse since), so the source's hash was not applied.
        kept_gatehouse_password: bool,
    },
}

/// Whether a stored hash is gatehouse's own (a PHC string), which an import never overwrites.
pub fn is_gatehouse_hash(stored: &str) -> bool {
    stored.starts_with('$')
}

/// Checks that `table` exists (`available` is empty otherwise) and has every wanted column;
/// the error names the table and what it lacks, and lists what it has.
pub fn check_columns(table: &str, available: &[String], wanted: &[&str]) -> Result<(), ParseError> {
    if available.is_empty() {
        return Err(ParseError::new(format!(
            "the source has no table {table:?} (pass --table, or a --preset that names it)"
        )));
    }
    let missing: Vec<&str> = wanted
        .iter()
        .copied()
        .filter(|w| !available.iter().any(|a| a == w))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(ParseError::new(format!(
        "table {table:?} has no column {}; its columns are: {}",
        missing
            .iter()
            .map(|m| format!("{m:?}"))
            .collect::<Vec<_>>()
            .join(", "),
        available.join(", ")
    )))
}

#[cfg(test)]
mod tests {
    use super::{ImportKey, check_columns, is_gatehouse_hash};

    #[test]
    fn keys_name_source_table_and_row() {
        let key = ImportKey::new("django", "auth_user", "42").map(|k| k.as_ref().to_owned());
        assert_eq!(key.as_deref(), Ok("django:auth_user:42"));
        assert!(ImportKey::new("a:b", "t", "1").is_err());
        assert!(ImportKey::new("django", "", "1").is_err());
        assert!(ImportKey::new("django", "t", " ").is_err());
    }

    #[test]
    fn only_phc_strings_are_gatehouse_hashes() {
        assert!(is_gatehouse_hash(
            "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA"
        ));
        assert!(!is_gatehouse_hash("pbkdf2_sha256$1000000$salt$hash"));
        assert!(!is_gatehouse_hash("!unusable"));
    }

    #[test]
    fn missing_tables_and_columns_are_named() {
        let have = vec!["id".to_owned(), "email".to_owned()];
        assert!(check_columns("t", &have, &["id", "email"]).is_ok());
        let err = check_columns("t", &have, &["id", "name"]).map_err(|e| e.0);
        assert!(err.is_err_and(|e| e.contains("\"name\"") && e.contains("id, email")));
        let err = check_columns("nope", &[], &["id"]).map_err(|e| e.0);
        assert!(err.is_err_and(|e| e.contains("no table \"nope\"")));
    }
}
