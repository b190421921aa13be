//! Sign-up fields, parsed once for every wire shape that creates accounts (the canonical
//! register, and the seeds' `user/`, `register/` and `api/register/`), so they all apply the same
//! rules and the same password policy.

use chrono::NaiveDate;
use gatehouse_domain::Username;

use crate::accounts::register::Registration;
use crate::app::AppState;
use crate::http::error::ApiError;
use crate::http::validate::Checks;

/// Longest first/last name, phone number and gender accepted.
pub const MAX_NAME: usize = 150;
pub const MAX_PHONE: usize = 32;
pub const MAX_GENDER: usize = 32;

/// The sign-up fields of any wire shape, as sent.
#[derive(Debug, Default)]
pub struct SignUp<'a> {
    pub username: Option<&'a str>,
    pub email: Option<&'a str>,
    pub password: Option<&'a str>,
    pub first_name: Option<&'a str>,
    pub last_name: Option<&'a str>,
    pub phone_number: Option<&'a str>,
    pub date_of_birth: Option<&'a str>,
    pub gender: Option<&'a str>,
    pub role: Option<&'a str>,
}

/// What a wire shape calls the fields whose names differ between APIs, so that errors name the
/// field the client sent.
#[derive(Debug)]
pub struct SignUpNames {
    pub phone_number: &'static str,
    pub date_of_birth: &'static str,
}

pub const CANONICAL_NAMES: SignUpNames = SignUpNames {
    phone_number: "phone_number",
    date_of_birth: "date_of_birth",
};

/// Parses a sign-up into a `Registration`, reporting every problem (with those already in `c`)
/// in one 400. The password must pass the policy for this username, email and name.
pub fn sign_up(
    state: &AppState,
    mut c: Checks,
    raw: &SignUp,
    names: &SignUpNames,
) -> Result<Registration, ApiError> {
    let username = c.required("username", raw.username);
    let username = c.parse("username", username, Username::parse);
    let email = c.email("email", raw.email);
    let first_name = c
        .text("first_name", raw.first_name, MAX_NAME)
        .unwrap_or_default();
    let last_name = c
        .text("last_name", raw.last_name, MAX_NAME)
        .unwrap_or_default();
    let phone_number = c
        .text(names.phone_number, raw.phone_number, MAX_PHONE)
        .unwrap_or_default();
    let gender = c.text("gender", raw.gender, MAX_GENDER).unwrap_or_default();
    let date_of_birth = parse_date(&mut c, names.date_of_birth, raw.date_of_birth);
    let role = match raw.role {
        Some(r) => c.parse("role", Some(r), |r| state.roles.parse_self_assignable(r)),
        None => Some(state.roles.default_signup()),
    };
    let identifiers = [
        raw.username,
        raw.email,
        Some(first_name.as_str()),
        Some(last_name.as_str()),
    ];
    let identifiers: Vec<&str> = identifiers.into_iter().flatten().collect();
    let password = c.required("password", raw.password);
    let password = c.new_password(&state.policy, "password", password, &identifiers);
    c.finish()?;
    let (Some(username), Some(email), Some(role), Some(password)) =
        (username, email, role, password)
    else {
        return Err(ApiError::Internal(anyhow::anyhow!(
            "validated register fields missing"
        )));
    };
    Ok(Registration {
        username,
        email,
        password,
        first_name,
        last_name,
        phone_number,
        date_of_birth: date_of_birth.flatten(),
        gender,
        role,
    })
}

/// `Some(None)` for an explicit empty value or null, `None` when absent or invalid.
pub fn parse_date(c: &mut Checks, field: &str, raw: Option<&str>) -> Option<Option<NaiveDate>> {
    let raw = raw?.trim();
    if raw.is_empty() {
        return Some(None);
    }
    match NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
        Ok(date) => Some(Some(date)),
        Err(_) => {
            c.add(
                field,
                "Date has wrong format. Use one of these formats instead: YYYY-MM-DD.",
            );
            None
        }
    }
}
