//! One source row → one `ImportedUser`, or the reason it cannot be imported.
//!
//! Values arrive as text (the store crates cast every column), so this is the one place that
//! knows how Django's SQLite and PostgreSQL databases spell booleans, dates and timestamps.
//! Nothing here ever puts a password hash into a message.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use gatehouse_domain::{Email, ImportKey, ImportedUser, RoleSet, UserId, Username};

use super::mapping::Field;
use crate::auth::django;
use crate::http::auth::{MAX_GENDER, MAX_NAME, MAX_PHONE};

/// What every row of one run shares.
#[derive(Debug)]
pub struct Context<'a> {
    pub source: &'a str,
    pub table: &'a str,
    pub roles: &'a RoleSet,
    /// Source role value → configured role.
    pub role_map: &'a HashMap<String, String>,
    pub imported_at: DateTime<Utc>,
}

/// What became of a row's password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Password {
    /// A Django hash gatehouse verifies (and re-hashes at the first login).
    Usable,
    /// Django's unusable password (`!…`): the account cannot log in by password.
    Unusable,
    /// No hash, or one gatehouse cannot verify: imported unusable, for this reason.
    Dropped(String),
}

/// A row ready to import: `user.username` is the first candidate (see `username_candidate`).
#[derive(Debug)]
pub struct Converted {
    pub user: ImportedUser,
    pub password: Password,
    /// Adjustments worth telling the operator (never a hash).
    pub notes: Vec<String>,
}

/// Converts one row; `Err` is the reason to skip it.
pub fn convert(
    ctx: &Context<'_>,
    fields: &[Field],
    values: Vec<Option<String>>,
) -> Result<Converted, String> {
    let row: HashMap<Field, Option<String>> = fields.iter().copied().zip(values).collect();
    let text = |field| {
        row.get(&field)
            .map(|v: &Option<String>| v.as_deref().unwrap_or(""))
    };
    let pk = text(Field::Id).unwrap_or_default().trim();
    let key = ImportKey::new(ctx.source, ctx.table, pk).map_err(|e| e.to_string())?;
    let email_raw = text(Field::Email).unwrap_or_default();
    let email = Email::parse(email_raw)
        .map_err(|_| format!("no valid email address ({email_raw:?}); gatehouse needs one"))?;
    let mut notes = Vec::new();
    let username = username(text(Field::Username), &email, &mut notes)?;
    let (password_hash, password) = password(text(Field::Password));
    let mut limited = |field, max| {
        text(field).map(|value| {
            let value = value.trim();
            if value.chars().count() > max {
                notes.push(format!("{field} cut to {max} characters"));
            }
            value.chars().take(max).collect::<String>()
        })
    };
    let first_name = limited(Field::FirstName, MAX_NAME);
    let last_name = limited(Field::LastName, MAX_NAME);
    let phone_number = limited(Field::PhoneNumber, MAX_PHONE);
    let gender = limited(Field::Gender, MAX_GENDER);
    let flag = |field| nonblank(text(field)).map(|v| boolean(field, v)).transpose();
    let time = |field| {
        nonblank(text(field))
            .map(|v| timestamp(field, v))
            .transpose()
    };
    Ok(Converted {
        user: ImportedUser {
            wanted_id: pk.parse().ok().filter(|id| *id > 0).map(UserId),
            key,
            username,
            email,
            password_hash,
            role: role(ctx, nonblank(text(Field::Role)))?,
            default_role: ctx.roles.default_signup(),
            first_name,
            last_name,
            phone_number,
            date_of_birth: text(Field::DateOfBirth)
                .map(|v| nonblank(Some(v)).map(date).transpose())
                .transpose()?,
            gender,
            is_active: flag(Field::IsActive)?,
            is_email_verified: flag(Field::IsEmailVerified)?,
            is_staff: flag(Field::IsStaff)?,
            is_superuser: flag(Field::IsSuperuser)?,
            date_joined: time(Field::DateJoined)?,
            last_login: time(Field::LastLogin)?,
            imported_at: ctx.imported_at,
        },
        password,
        notes,
    })
}

/// The `n`th username to try (1-based): the base itself, then `base-2`, `base-3`, …, cut so the
/// suffix always fits.
pub fn username_candidate(base: &Username, n: u32) -> Option<Username> {
    if n <= 1 {
        return Some(base.clone());
    }
    let suffix = format!("-{n}");
    let keep = gatehouse_domain::username::MAX_LEN - suffix.len();
    let stem: String = base.as_ref().chars().take(keep).collect();
    Username::parse(&format!("{stem}{suffix}")).ok()
}

/// The source's username if it is valid here; else its valid characters; else the email's
/// local part's; else `user`.
fn username(raw: Option<&str>, email: &Email, notes: &mut Vec<String>) -> Result<Username, String> {
    let raw = raw.map(str::trim).unwrap_or_default();
    if let Ok(valid) = Username::parse(raw) {
        return Ok(valid);
    }
    let allowed = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_alphanumeric() || matches!(c, '@' | '.' | '+' | '-' | '_'))
            .take(gatehouse_domain::username::MAX_LEN)
            .collect()
    };
    let made = [allowed(raw), allowed(email.local_part()), "user".to_owned()]
        .into_iter()
        .find_map(|candidate| Username::parse(&candidate).ok())
        .ok_or("no usable username")?;
    if !raw.is_empty() {
        notes.push(format!(
            "username {raw:?} is not valid here; imported as {:?}",
            made.as_ref()
        ));
    }
    Ok(made)
}

/// The hash to store and what it means. Unsupported hashes are named by their algorithm only.
fn password(raw: Option<&str>) -> (String, Password) {
    let raw = raw.unwrap_or_default();
    if raw.starts_with('!') {
        return (raw.to_owned(), Password::Unusable);
    }
    if django::Hash::parse(raw).is_some() {
        return (raw.to_owned(), Password::Usable);
    }
    let reason = if raw.is_empty() {
        "no password".to_owned()
    } else {
        let algorithm = raw.split('$').next().filter(|a| {
            raw.contains('$')
                && (1..=32).contains(&a.len())
                && a.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        });
        match algorithm {
            Some(algorithm) => format!("password hash {algorithm:?} cannot be verified here"),
            None => "password hash in an unrecognised format".to_owned(),
        }
    };
    (
        "!unusable: imported without a verifiable hash".to_owned(),
        Password::Dropped(reason),
    )
}

fn role(ctx: &Context<'_>, raw: Option<&str>) -> Result<Option<gatehouse_domain::Role>, String> {
    let Some(raw) = raw else {
        return Ok(None);
    };
    let mapped = ctx.role_map.get(raw).map_or(raw, String::as_str);
    ctx.roles.parse(mapped).map(Some).map_err(|_| {
        format!("role {raw:?} is not a configured role; map it with --role-map {raw}=ROLE")
    })
}

fn nonblank(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|v| !v.is_empty())
}

fn boolean(field: Field, value: &str) -> Result<bool, String> {
    match value.to_ascii_lowercase().as_str() {
        "1" | "t" | "true" => Ok(true),
        "0" | "f" | "false" => Ok(false),
        _ => Err(format!("{field}: {value:?} is not a boolean")),
    }
}

fn date(value: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .map_err(|_| format!("date_of_birth: {value:?} is not a YYYY-MM-DD date"))
}

/// Django's SQLite timestamps are naive UTC (`2024-05-01 10:20:30.123456`); PostgreSQL's, read
/// in UTC, carry an offset (`…+00`).
fn timestamp(field: Field, value: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(value)
        .or_else(|_| DateTime::parse_from_str(value, "%Y-%m-%d %H:%M:%S%.f%#z"))
        .map(|t| t.with_timezone(&Utc))
        .or_else(|_| {
            ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f"]
                .iter()
                .find_map(|format| NaiveDateTime::parse_from_str(value, format).ok())
                .map(|t| t.and_utc())
                .ok_or(())
        })
        .map_err(|()| format!("{field}: {value:?} is not a timestamp"))
}

#[cfg(test)]
mod tests;
