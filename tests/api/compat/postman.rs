//! LIT's own Postman collection (`tests/fixtures/lit.postman_collection.json`, as shipped by
//! the seed), replayed in the order a user would run it: create the user, activate with the
//! emailed code, get tokens, patch the profile. Each request goes out with the collection's
//! method, path and body, with only what a person running it substitutes: the host, the code
//! from the mail, the token from the previous answer — and, for `jwt/create/`, whose saved body
//! names a `User_3` from the author's own database, the user the first request created.

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::email_flows::support::MailTest;

const COLLECTION: &str = include_str!("../../fixtures/lit.postman_collection.json");

/// One saved request: method, path (`/api/v1/auth/…/`), JSON body, whether it uses Bearer auth.
struct Saved {
    method: Method,
    path: String,
    body: Value,
    bearer: bool,
}

fn saved(item: &Value) -> Saved {
    let request = &item["request"];
    let segments: Vec<&str> = request["url"]["path"]
        .as_array()
        .expect("a path")
        .iter()
        .map(|s| s.as_str().expect("a path segment"))
        .collect();
    Saved {
        method: Method::from_bytes(request["method"].as_str().expect("a method").as_bytes())
            .expect("an HTTP method"),
        path: format!("/{}", segments.join("/")),
        body: serde_json::from_str(request["body"]["raw"].as_str().expect("a raw body"))
            .expect("a JSON body"),
        bearer: request["auth"]["type"] == "bearer",
    }
}

#[tokio::test]
async fn the_lit_postman_collection_runs_against_the_compat_routes() {
    let collection: Value = serde_json::from_str(COLLECTION).expect("the collection is JSON");
    assert_eq!(collection["info"]["name"], "LIT");
    let items: Vec<Saved> = collection["item"]
        .as_array()
        .expect("items")
        .iter()
        .map(saved)
        .collect();
    let find = |path: &str| {
        items
            .iter()
            .find(|s| s.path == path)
            .unwrap_or_else(|| panic!("the collection has {path}"))
    };
    let order = [
        "/api/v1/auth/user/",
        "/api/v1/auth/user/activation/",
        "/api/v1/auth/jwt/create/",
        "/api/v1/auth/user/me/",
    ];
    assert_eq!(order.len(), items.len(), "every saved request is replayed");

    let m = MailTest::spawn().await;
    let app = &m.app;
    let create = &find(order[0]).body;
    let email = create["email"].as_str().expect("an email").to_owned();
    let password = create["password"].clone();
    let mut access = String::new();
    for path in order {
        let request = find(path);
        let mut body = request.body.clone();
        if path.ends_with("/activation/") {
            body["otp_code"] = Value::from(m.deliver_one(&email).await.code());
        }
        if path.ends_with("/jwt/create/") {
            body["email"] = Value::from(email.clone());
            body["password"] = password.clone();
        }
        let bearer = request.bearer.then_some(access.as_str());
        let answer = app
            .send(request.method.clone(), path, bearer, Some(&body))
            .await;
        assert!(answer.status.is_success(), "{path}: {answer:#?}");
        if path.ends_with("/jwt/create/") {
            access = answer.str("access").to_owned();
        }
    }
    let me = app.get("/api/v1/auth/user/me/", Some(&access)).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.body["first_name"], "User_1", "{me:#?}");
}
