use std::collections::HashMap;

use chrono::Utc;
use gatehouse_domain::{Email, RoleSet, Username};

use super::{Context, Password, boolean, convert, password, timestamp, username_candidate};
use crate::import::mapping::Field;

const PBKDF2: &str =
    "pbkdf2_sha256$1000000$Xr4VWqWZrVlA8cJZ$V/5nJiCIiyQ2JJtQfqlV7EOZsiQFPKswYi6eDBqwWyE=";

fn roles() -> RoleSet {
    RoleSet::new(
        vec!["client".into(), "employee".into()],
        vec!["client".into()],
    )
    .expect("roles")
}

fn row(values: &[(Field, Option<&str>)]) -> (Vec<Field>, Vec<Option<String>>) {
    values
        .iter()
        .map(|(f, v)| (*f, v.map(str::to_owned)))
        .unzip()
}

#[test]
fn both_databases_spellings_of_timestamps_and_booleans_parse() {
    let expected = "2024-05-01T10:20:30.123456Z"
        .parse::<chrono::DateTime<Utc>>()
        .ok();
    for raw in [
        "2024-05-01 10:20:30.123456",
        "2024-05-01 10:20:30.123456+00",
        "2024-05-01 12:20:30.123456+02:00",
        "2024-05-01T10:20:30.123456Z",
    ] {
        assert_eq!(timestamp(Field::LastLogin, raw).ok(), expected, "{raw}");
    }
    assert!(timestamp(Field::LastLogin, "yesterday").is_err());
    assert_eq!(boolean(Field::IsStaff, "1"), Ok(true));
    assert_eq!(boolean(Field::IsStaff, "false"), Ok(false));
    assert!(boolean(Field::IsStaff, "2").is_err());
}

#[test]
fn passwords_are_kept_marked_unusable_or_dropped_without_showing_the_hash() {
    assert_eq!(
        password(Some(PBKDF2)),
        (PBKDF2.to_owned(), Password::Usable)
    );
    let unusable = "!x7Yq9vLkQ2";
    assert_eq!(password(Some(unusable)).1, Password::Unusable);
    let (stored, verdict) = password(Some("md5$salt$0123456789abcdef"));
    assert!(stored.starts_with('!'));
    let Password::Dropped(reason) = verdict else {
        panic!("md5 must be dropped")
    };
    assert!(
        reason.contains("\"md5\"") && !reason.contains("0123456789abcdef"),
        "{reason}"
    );
    let Password::Dropped(reason) = password(Some("s3cr3t-plaintext")).1 else {
        panic!("plain text must be dropped")
    };
    assert!(!reason.contains("s3cr3t"), "{reason}");
    assert!(matches!(password(None).1, Password::Dropped(_)));
}

#[test]
fn usernames_fall_back_and_candidates_fit() {
    let ctx_roles = roles();
    let role_map = HashMap::from([("admin".to_owned(), "employee".to_owned())]);
    let ctx = Context {
        source: "django",
        table: "users_user",
        roles: &ctx_roles,
        role_map: &role_map,
        imported_at: Utc::now(),
    };
    let (fields, values) = row(&[
        (Field::Id, Some("7")),
        (Field::Email, Some("Ann.Lee@Example.com")),
        (Field::Password, Some(PBKDF2)),
        (Field::Username, Some("ann lee")),
        (Field::Role, Some("admin")),
    ]);
    let converted = convert(&ctx, &fields, values).expect("converts");
    assert_eq!(converted.user.username.as_ref(), "annlee");
    assert_eq!(
        converted.user.role.as_ref().map(AsRef::as_ref),
        Some("employee")
    );
    assert_eq!(converted.user.wanted_id.map(|id| id.0), Some(7));
    assert_eq!(converted.notes.len(), 1);

    let (fields, values) = row(&[
        (Field::Id, Some("8")),
        (Field::Email, Some("x@example.com")),
        (Field::Password, Some(PBKDF2)),
        (Field::Role, Some("boss")),
    ]);
    let skipped = convert(&ctx, &fields, values).map(|_| ());
    assert!(skipped.is_err_and(|why| why.contains("--role-map boss=ROLE")));

    let email = Email::parse("x@example.com").expect("email");
    let (fields, values) = row(&[(Field::Id, Some("9")), (Field::Email, Some(email.as_ref()))]);
    let bare = convert(&ctx, &fields, values).expect("converts");
    assert_eq!(bare.user.username.as_ref(), "x");

    let long = Username::parse(&"a".repeat(150)).expect("username");
    let second = username_candidate(&long, 2).expect("fits");
    assert!(second.as_ref().ends_with("-2") && second.as_ref().len() == 150);
}
