//! Bad sources and mappings: a clear message naming the problem, a non-zero exit, no panic.

use crate::django::Source;
use crate::run::sqlite_gatehouse;

#[test]
fn bad_sources_and_mappings_stop_with_a_message_naming_the_problem() {
    let gh = sqlite_gatehouse();
    let missing = gh.dir.path().join("nope.sqlite3");
    let missing_arg = missing.display().to_string();
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let source = Source::Sqlite(gh.dir.path().join("django.sqlite3"));
    rt.block_on(source.create_auth_user());
    let from = source.arg();
    let cases: [(&[&str], &str); 7] = [
        (&["--from", &missing_arg], "no such file"),
        (
            &["--from", &from, "--table", "people"],
            "no table \"people\"",
        ),
        (
            &["--from", &from, "--map", "first_name=given"],
            "no column \"given\"",
        ),
        (
            &["--from", &from, "--map", "nickname=nick"],
            "unknown field \"nickname\"",
        ),
        (
            &["--from", &from, "--map", "email="],
            "email field must be mapped",
        ),
        (
            &["--from", &from, "--role-map", "admin=boss"],
            "--role-map \"admin=boss\"",
        ),
        (&["--from", &from, "--source", "a:b"], "--source/--table"),
    ];
    for (args, expected) in cases {
        let (out, _) = gh.import(args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?} succeeded");
        assert!(
            stderr.contains(expected) && !stderr.contains("panicked"),
            "{args:?}: {stderr}"
        );
    }
    assert!(!missing.exists(), "a missing source must not be created");
}
