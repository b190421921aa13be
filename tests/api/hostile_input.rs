//! No input makes a 500: hostile bodies and values thrown at every endpoint that reads a body.
//! Any status below 500 passes the table; the other files pin the exact answers.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestApp, TestUser, assert_field_error, assert_unauthorized};

/// What each row of the table is sent to: method, path, who calls ("anonymous", a "shared"
/// long-lived session, or a "fresh" session for endpoints that end the caller's session), and a
/// base body that reaches the use case; each hostile value replaces one of its fields in turn.
fn targets(victim: &TestUser) -> Vec<Value> {
    let (username, email, refresh, access) = (
        &victim.username,
        &victim.email,
        &victim.refresh,
        &victim.access,
    );
    let new_password = "Brand-new-phrase-2718";
    let table = json!([
        ["POST", "/api/v1/auth/register/", "anonymous", {
            "username": "hostile_user", "email": "hostile@example.com", "password": PASSWORD,
            "re_password": PASSWORD, "first_name": "H", "last_name": "U", "phone_number": "1",
            "date_of_birth": "2000-01-01", "gender": "x", "role": "client"}],
        ["POST", "/api/v1/auth/token/", "anonymous", {"username": username, "password": PASSWORD}],
        ["POST", "/api/v1/auth/token/", "anonymous", {"email": email, "password": PASSWORD}],
        ["POST", "/api/v1/auth/token/", "anonymous", {"login": username, "password": PASSWORD}],
        ["POST", "/api/v1/auth/token/refresh/", "anonymous", {"refresh": refresh}],
        ["POST", "/api/v1/auth/token/verify/", "anonymous", {"token": access}],
        ["POST", "/api/v1/auth/logout/", "fresh", {"refresh": refresh}],
        ["POST", "/api/v1/auth/logout/all/", "fresh", {}],
        ["POST", "/api/v1/auth/password/change/", "shared", {
            "old_password": PASSWORD, "new_password": new_password, "re_new_password": new_password}],
        ["PATCH", "/api/v1/users/me/", "shared", {
            "username": "patched_name", "first_name": "P", "last_name": "Q", "phone_number": "2",
            "date_of_birth": "1999-09-09", "gender": "y", "role": "client"}],
        ["DELETE", "/api/v1/users/me/", "shared", {"current_password": "Wrong-password-000"}],
    ]);
    table.as_array().unwrap().clone()
}

pub fn hostile_values() -> Vec<Value> {
    let mut deep = json!("bottom");
    for _ in 0..200 {
        deep = json!([deep]);
    }
    let table = json!([
        null, 0, -1, 1.5e308, u64::MAX, true, [], {}, ["a"], {"$gt": ""}, deep, "", " ", "\u{0}",
        "a\u{0}b", "\u{7f}\u{1b}[31m", "' OR '1'='1", "'; DROP TABLE users; --", "%s%n%x",
        "../../etc/passwd", "<script>alert(1)</script>", "😀".repeat(200), "\u{202e}\u{fffd}\u{feff}",
        "x".repeat(20_000), "9999-12-31", "0000-00-00", "-0001-01-01", "+262143-12-31", "2024-02-30",
        "2000-01-01T00:00:00Z", "grt1.00000000000000000000000000000000.9223372036854775807.AAAA",
        format!("grt1.{}.-1.AAAA", uuid::Uuid::nil().simple()),
        "eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.", "Bearer x",
    ]);
    table.as_array().unwrap().clone()
}

pub fn hostile_raw_bodies() -> Vec<Vec<u8>> {
    let mut bodies: Vec<Vec<u8>> = [
        "",
        "{}",
        "null",
        "[]",
        "\"x\"",
        "0",
        "1e999999",
        "-",
        "true",
        "{",
        "}",
        "{\"a\":",
        "[1,2",
        "{\"username\": \"a\", \"username\": \"b\"}",
        "{\"username\": \"\\ud800\"}",
        "{\"password\": \"\\u0000\"}",
        "\u{feff}{}",
        "{\"a\": NaN}",
        "{'a': 1}",
        "{\"a\":1}trailing",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect();
    bodies.push(b"\xff\xfe\xfd\x00".to_vec());
    bodies.push(format!("{}{}", "[".repeat(30_000), "]".repeat(30_000)).into_bytes());
    bodies.push(format!("{}1{}", "{\"a\":".repeat(5_000), "}".repeat(5_000)).into_bytes());
    bodies
}

struct Prober<'a> {
    app: &'a TestApp,
    /// Logged in afresh for each request to an endpoint that ends the caller's session.
    leaver: &'a TestUser,
    shared: &'a str,
    failures: Vec<String>,
    sent: usize,
}

impl Prober<'_> {
    async fn probe(
        &mut self,
        target: &Value,
        content_type: Option<&str>,
        body: Vec<u8>,
        what: &str,
    ) {
        let method = Method::from_bytes(target[0].as_str().unwrap().as_bytes()).unwrap();
        let path = target[1].as_str().unwrap();
        let bearer = match target[2].as_str().unwrap() {
            "fresh" => Some(
                self.app
                    .login_tokens(&self.leaver.username, PASSWORD)
                    .await
                    .0,
            ),
            "shared" => Some(self.shared.to_owned()),
            _ => None,
        };
        let answer = self
            .app
            .send_raw(method.clone(), path, bearer.as_deref(), content_type, body)
            .await;
        self.sent += 1;
        if answer.status.is_server_error() {
            let what: String = what.chars().take(100).collect();
            self.failures.push(format!(
                "{method} {path} {content_type:?} {what} -> {} {}",
                answer.status, answer.body
            ));
        }
    }
}

#[tokio::test]
async fn no_input_makes_a_500() {
    let app = TestApp::spawn().await;
    let victim = app.register_and_login().await;
    let leaver = app.register_and_login().await;
    let patcher = app.register_and_login().await;
    let mut prober = Prober {
        app: &app,
        leaver: &leaver,
        shared: &patcher.access,
        failures: Vec::new(),
        sent: 0,
    };

    for target in targets(&victim) {
        for body in hostile_raw_bodies() {
            let what = format!("raw body {:?}", String::from_utf8_lossy(&body));
            prober
                .probe(&target, Some("application/json"), body, &what)
                .await;
        }
        for content_type in [
            None,
            Some("text/plain"),
            Some("application/json; charset=latin1"),
            Some("multipart/form-data; boundary=x"),
        ] {
            prober
                .probe(
                    &target,
                    content_type,
                    b"username=a&password=b".to_vec(),
                    "form body",
                )
                .await;
        }
        for field in target[3].as_object().unwrap().keys() {
            for value in hostile_values() {
                let mut body = target[3].clone();
                if target[1] == "/api/v1/auth/register/" {
                    // A new account each time, so every value reaches the store's insert.
                    let fresh = TestApp::new_user_body();
                    body["username"] = fresh["username"].clone();
                    body["email"] = fresh["email"].clone();
                }
                let what = format!("{field} = {value}");
                body[field] = value;
                prober
                    .probe(
                        &target,
                        Some("application/json"),
                        serde_json::to_vec(&body).unwrap(),
                        &what,
                    )
                    .await;
            }
        }
    }

    assert!(
        prober.sent > 1000,
        "the table ran: {} requests",
        prober.sent
    );
    let failures = prober.failures.join("\n");
    assert!(
        prober.failures.is_empty(),
        "{} of {} requests got a 5xx:\n{failures}",
        prober.failures.len(),
        prober.sent
    );
    assert_eq!(
        app.me(&patcher.access).await.status,
        StatusCode::OK,
        "the shared session survived"
    );
    assert_eq!(
        app.readyz().await.status,
        StatusCode::OK,
        "the server is still healthy"
    );
}

/// DRF refuses NUL characters in text ("Null characters are not allowed."); PostgreSQL cannot
/// store them, so one store-independent rule must refuse them before the store sees them.
#[tokio::test]
async fn a_nul_character_in_a_text_field_is_a_field_error() {
    let app = TestApp::spawn().await;
    let user = app.register_and_login().await;

    for field in ["first_name", "last_name", "phone_number", "gender"] {
        let mut body = TestApp::new_user_body();
        body[field] = json!("a\u{0}b");
        let registered = app.register(&body).await;
        let patched = app.patch_me(&user.access, &json!({field: "a\u{0}b"})).await;

        assert_field_error(&registered, field);
        assert_field_error(&patched, field);
    }
    for field in ["username", "email", "login"] {
        let answer = app
            .login_with(&json!({field: "a\u{0}b", "password": PASSWORD}))
            .await;

        assert!(answer.status.is_client_error(), "{field}: {answer:#?}");
        if answer.status == StatusCode::UNAUTHORIZED {
            assert_unauthorized(&answer, "invalid_credentials");
        } else {
            assert!(
                answer.body.as_object().is_some_and(|o| !o.is_empty()),
                "{field}: {answer:#?}"
            );
        }
    }
}
