//! Collects field errors so one 400 reports every problem in the body at once, as DRF does.

use super::error::{ApiError, FieldErrors};
use gatehouse_domain::{Email, OtpCode, ParseError, PasswordPolicy, PlainPassword};

/// PostgreSQL cannot store NUL in text, and no legitimate value contains one; DRF's wording.
const NUL: &str = "Null characters are not allowed.";

#[derive(Debug, Default)]
pub struct Checks {
    errors: FieldErrors,
}

impl Checks {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.errors
            .entry(field.to_owned())
            .or_default()
            .push(message.into());
    }

    /// A present, non-blank string; records "required" or "blank" otherwise.
    pub fn required<'a>(&mut self, field: &str, value: Option<&'a str>) -> Option<&'a str> {
        match value {
            None => {
                self.add(field, "This field is required.");
                None
            }
            Some(v) if v.trim().is_empty() => {
                self.add(field, "This field may not be blank.");
                None
            }
            Some(v) if v.contains('\0') => {
                self.add(field, NUL);
                None
            }
            Some(v) => Some(v),
        }
    }

    /// Parses a present value into a domain type, recording the parse error under `field`.
    pub fn parse<T>(
        &mut self,
        field: &str,
        value: Option<&str>,
        parse: impl FnOnce(&str) -> Result<T, ParseError>,
    ) -> Option<T> {
        match parse(value?) {
            Ok(v) => Some(v),
            Err(e) => {
                self.add(field, e.0);
                None
            }
        }
    }

    /// A required email address in `field`.
    pub fn email(&mut self, field: &str, value: Option<&str>) -> Option<Email> {
        let value = self.required(field, value);
        self.parse(field, value, Email::parse)
    }

    /// A required 6-digit code in `field`.
    pub fn code(&mut self, field: &str, value: Option<&str>) -> Option<OtpCode> {
        let value = self.required(field, value);
        self.parse(field, value, OtpCode::parse)
    }

    /// An optional free-text field of at most `max` characters.
    pub fn text(&mut self, field: &str, value: Option<&str>, max: usize) -> Option<String> {
        let value = value?.trim();
        if value.contains('\0') {
            self.add(field, NUL);
            return None;
        }
        if value.chars().count() > max {
            self.add(
                field,
                format!("Ensure this field has no more than {max} characters."),
            );
            return None;
        }
        Some(value.to_owned())
    }

    /// Records under `field` that the confirmation differs from the password, when both are
    /// given.
    pub fn confirmation(&mut self, field: &str, password: Option<&str>, again: Option<&str>) {
        if let (Some(password), Some(again)) = (password, again)
            && password != again
        {
            self.add(field, "The two password fields didn't match.");
        }
    }

    /// A present password that `policy` accepts for an account with these identifiers; every
    /// problem is recorded under `field`.
    pub fn new_password(
        &mut self,
        policy: &PasswordPolicy,
        field: &str,
        value: Option<&str>,
        identifiers: &[&str],
    ) -> Option<PlainPassword> {
        match policy.check(value?.to_owned(), identifiers) {
            Ok(password) => Some(password),
            Err(e) => {
                for problem in e.0 {
                    self.add(field, problem);
                }
                None
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    /// `Ok` when nothing was recorded, else the 400 with everything recorded.
    pub fn finish(self) -> Result<(), ApiError> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(ApiError::Validation(self.errors))
        }
    }
}
