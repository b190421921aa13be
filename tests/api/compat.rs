//! The seeds' documented routes (API.md, "Seed-compatible routes"): each seed README's flow step
//! by step against its own paths, with the README's request and response shapes, and the
//! security variants where the seed's code had a hole (docs/compat.md lists them). LIT's real
//! Postman collection is replayed as a client would send it.

mod dra;
mod enumeration;
mod hostile;
mod kept_refresh;
mod lit;
mod postman;
mod sin;
mod tlr;
mod tma;

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::helpers::{Answer, TestApp};

/// Sends `body` as JSON with `method`, with a bearer token when given.
pub async fn call(
    app: &TestApp,
    method: Method,
    path: &str,
    bearer: Option<&str>,
    body: &Value,
) -> Answer {
    app.send(method, path, bearer, Some(body)).await
}

/// The keys of a JSON object, sorted, to compare a shape exactly.
pub fn keys(value: &Value) -> Vec<String> {
    let mut keys: Vec<String> = value
        .as_object()
        .unwrap_or_else(|| panic!("an object: {value:#}"))
        .keys()
        .cloned()
        .collect();
    keys.sort();
    keys
}

/// A 200 whose body has an `access` and a `refresh` token.
pub fn assert_pair(answer: &Answer) -> (String, String) {
    assert_eq!(answer.status, StatusCode::OK, "{answer:#?}");
    (
        answer.str("access").to_owned(),
        answer.str("refresh").to_owned(),
    )
}
