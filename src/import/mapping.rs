//! Which source column fills which gatehouse field: a preset for each Django user model we know
//! (Django's own `auth_user`, and the seeds' custom models), adjusted by `--map FIELD=COLUMN`.
//!
//! A field no column fills is one the source does not have: new accounts get the default, and a
//! re-run leaves the field as gatehouse has it.

use std::collections::BTreeMap;
use std::fmt;

use clap::ValueEnum;

/// A gatehouse field an import can fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    /// The primary key: the row's identity in the import key, and the id to keep if integer.
    Id,
    Username,
    Email,
    Password,
    FirstName,
    LastName,
    PhoneNumber,
    DateOfBirth,
    Gender,
    Role,
    IsActive,
    IsEmailVerified,
    IsStaff,
    IsSuperuser,
    DateJoined,
    LastLogin,
}

impl Field {
    const ALL: [Self; 16] = [
        Self::Id,
        Self::Username,
        Self::Email,
        Self::Password,
        Self::FirstName,
        Self::LastName,
        Self::PhoneNumber,
        Self::DateOfBirth,
        Self::Gender,
        Self::Role,
        Self::IsActive,
        Self::IsEmailVerified,
        Self::IsStaff,
        Self::IsSuperuser,
        Self::DateJoined,
        Self::LastLogin,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::Id => "id",
            Self::Username => "username",
            Self::Email => "email",
            Self::Password => "password",
            Self::FirstName => "first_name",
            Self::LastName => "last_name",
            Self::PhoneNumber => "phone_number",
            Self::DateOfBirth => "date_of_birth",
            Self::Gender => "gender",
            Self::Role => "role",
            Self::IsActive => "is_active",
            Self::IsEmailVerified => "is_email_verified",
            Self::IsStaff => "is_staff",
            Self::IsSuperuser => "is_superuser",
            Self::DateJoined => "date_joined",
            Self::LastLogin => "last_login",
        }
    }

    fn parse(raw: &str) -> anyhow::Result<Self> {
        Self::ALL
            .into_iter()
            .find(|f| f.name() == raw)
            .ok_or_else(|| {
                let names: Vec<&str> = Self::ALL.iter().map(|f| f.name()).collect();
                anyhow::anyhow!(
                    "--map: unknown field {raw:?}; the fields are: {}",
                    names.join(", ")
                )
            })
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The user models we know, by the seed that uses them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Preset {
    /// Django's `auth_user`.
    Django,
    /// SIN: `users_user`; `name` fills the first name, `user_type` the role; no join date.
    Sin,
    /// TLR: `account_user`, UUID keys, email login; active means the emailed code was used.
    Tlr,
    /// LIT: `users_user`, email login; active means the emailed code was used.
    Lit,
    /// DRA: `users_user` with `phoneNumber`, `dateBirth`, `gender`.
    Dra,
    /// TMA: Django's `auth_user`.
    Tma,
}

/// Django's `AbstractUser` columns, which every preset starts from.
const ABSTRACT_USER: [(Field, &str); 11] = [
    (Field::Id, "id"),
    (Field::Username, "username"),
    (Field::Email, "email"),
    (Field::Password, "password"),
    (Field::FirstName, "first_name"),
    (Field::LastName, "last_name"),
    (Field::IsActive, "is_active"),
    (Field::IsStaff, "is_staff"),
    (Field::IsSuperuser, "is_superuser"),
    (Field::DateJoined, "date_joined"),
    (Field::LastLogin, "last_login"),
];

impl Preset {
    fn table(self) -> &'static str {
        match self {
            Self::Django | Self::Tma => "auth_user",
            Self::Tlr => "account_user",
            Self::Sin | Self::Lit | Self::Dra => "users_user",
        }
    }

    fn columns(self) -> BTreeMap<Field, String> {
        let mut columns: BTreeMap<Field, String> = ABSTRACT_USER
            .iter()
            .map(|(field, column)| (*field, (*column).to_owned()))
            .collect();
        let mut set = |field, column: &str| columns.insert(field, column.to_owned());
        match self {
            Self::Django | Self::Tma => {}
            Self::Sin => {
                set(Field::FirstName, "name");
                set(Field::Role, "user_type");
                columns.remove(&Field::LastName);
                columns.remove(&Field::DateJoined);
            }
            // Both activate an account by a code sent to its address: active means verified.
            Self::Tlr | Self::Lit => {
                set(Field::IsEmailVerified, "is_active");
            }
            Self::Dra => {
                set(Field::PhoneNumber, "phoneNumber");
                set(Field::DateOfBirth, "dateBirth");
                set(Field::Gender, "gender");
            }
        }
        columns
    }
}

/// The source table and which of its columns fill which field.
#[derive(Debug, Clone)]
pub struct Mapping {
    pub table: String,
    pub columns: BTreeMap<Field, String>,
}

impl Mapping {
    /// The preset's table and columns, with `table` and each `FIELD=COLUMN` (`FIELD=` unmaps)
    /// applied over them. The primary key, email and password must stay mapped.
    pub fn new(preset: Preset, table: Option<String>, maps: &[String]) -> anyhow::Result<Self> {
        let mut columns = preset.columns();
        for map in maps {
            let (field, column) = map
                .split_once('=')
                .ok_or_else(|| anyhow::anyhow!("--map {map:?}: expected FIELD=COLUMN"))?;
            let field = Field::parse(field.trim())?;
            let column = column.trim();
            if column.is_empty() {
                columns.remove(&field);
            } else {
                columns.insert(field, column.to_owned());
            }
        }
        for required in [Field::Id, Field::Email, Field::Password] {
            if !columns.contains_key(&required) {
                anyhow::bail!("--map: the {required} field must be mapped to a column");
            }
        }
        Ok(Self {
            table: table.unwrap_or_else(|| preset.table().to_owned()),
            columns,
        })
    }

    /// The fields in the order `columns()` lists their columns.
    pub fn fields(&self) -> Vec<Field> {
        self.columns.keys().copied().collect()
    }

    pub fn column_names(&self) -> Vec<&str> {
        self.columns.values().map(String::as_str).collect()
    }

    pub fn id_column(&self) -> &str {
        self.columns.get(&Field::Id).map_or("id", String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::{Field, Mapping, Preset};

    #[test]
    fn maps_override_unmap_and_name_unknown_fields() {
        let maps = ["first_name=given".to_owned(), "last_name=".to_owned()];
        let mapping = Mapping::new(Preset::Django, None, &maps).expect("valid");
        assert_eq!(mapping.table, "auth_user");
        assert_eq!(mapping.columns[&Field::FirstName], "given");
        assert!(!mapping.columns.contains_key(&Field::LastName));

        let err =
            Mapping::new(Preset::Django, None, &["nick=x".to_owned()]).map_err(|e| e.to_string());
        assert!(err.is_err_and(|e| e.contains("\"nick\"") && e.contains("first_name")));
        let err =
            Mapping::new(Preset::Django, None, &["email=".to_owned()]).map_err(|e| e.to_string());
        assert!(err.is_err_and(|e| e.contains("email field must be mapped")));
        assert!(Mapping::new(Preset::Django, None, &["email".to_owned()]).is_err());
    }

    #[test]
    fn presets_name_their_table_and_columns() {
        let sin = Mapping::new(Preset::Sin, None, &[]).expect("valid");
        assert_eq!(sin.table, "users_user");
        assert_eq!(sin.columns[&Field::Role], "user_type");
        assert!(!sin.columns.contains_key(&Field::DateJoined));
        let dra = Mapping::new(Preset::Dra, Some("accounts".to_owned()), &[]).expect("valid");
        assert_eq!(
            (
                dra.table.as_str(),
                dra.columns[&Field::PhoneNumber].as_str()
            ),
            ("accounts", "phoneNumber")
        );
    }
}
