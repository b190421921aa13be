//! The error responses operations share, added to each operation that can give them, so a
//! handler's annotation lists only what is particular to it (its own 401, 403, 409). Their
//! bodies are DRF's shapes as `http::error` writes them:
//! - every operation: 429 (rate limits), 500 (opaque, with the request id) and 503 (timeout,
//!   busy), which the middleware can answer anywhere;
//! - with a JSON body: 400 (field errors, or `{detail, code}` for a body that cannot be read or
//!   a code that does not match), 413 and 415;
//! - with query or path parameters: 400 (an unreadable query or id) and 404 (no such resource,
//!   a page past the end);
//! - requiring the bearer scheme: 401.

use std::collections::btree_map::Entry;

use utoipa::openapi::schema::AnyOfBuilder;
use utoipa::openapi::{Content, OpenApi, Ref, RefOr, Response, ResponseBuilder, Schema};

/// (status, component name, description, body schema) of each shared response.
const RESPONSES: [(&str, &str, &str, &str); 8] = [
    (
        "400",
        "BadRequest",
        "Invalid input: `{field: [message]}`, or `{detail, code}` when the body or a parameter cannot be read at all.",
        "",
    ),
    (
        "401",
        "Unauthorized",
        "Missing, malformed, expired or revoked access token (`WWW-Authenticate: Bearer`).",
        "ErrorBody",
    ),
    (
        "404",
        "NotFound",
        "No such resource, or one the caller may not see; `Invalid page.` past the last page.",
        "ErrorBody",
    ),
    (
        "413",
        "PayloadTooLarge",
        "The body is larger than the configured limit.",
        "ErrorBody",
    ),
    (
        "415",
        "UnsupportedMediaType",
        "The body is not JSON.",
        "ErrorBody",
    ),
    (
        "429",
        "Throttled",
        "Rate limited; `Retry-After` gives the seconds to wait.",
        "ErrorBody",
    ),
    (
        "500",
        "Internal",
        "An internal error; the body carries only the request id, which the log has too.",
        "InternalErrorBody",
    ),
    (
        "503",
        "Unavailable",
        "The request took too long, or the server is busy (`Retry-After`).",
        "ErrorBody",
    ),
];

/// Registers the shared responses and adds each to the operations that can give it.
pub fn add(doc: &mut OpenApi) {
    let components = doc
        .components
        .get_or_insert_with(utoipa::openapi::Components::new);
    for (_, name, description, schema) in RESPONSES {
        components
            .responses
            .insert(name.to_owned(), RefOr::T(response(description, schema)));
    }
    for item in doc.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ];
        for operation in operations.into_iter().flatten() {
            let body = operation.request_body.is_some();
            let params = operation.parameters.as_ref().is_some_and(|p| !p.is_empty());
            let secured = operation.security.as_ref().is_some_and(|s| !s.is_empty());
            for (status, name, _, body_schema) in RESPONSES {
                let applies = match status {
                    "400" => body || params,
                    "401" => secured,
                    "404" => params,
                    "413" | "415" => body,
                    _ => true,
                };
                if !applies {
                    continue;
                }
                match operation.responses.responses.entry(status.to_owned()) {
                    Entry::Vacant(entry) => {
                        entry.insert(Ref::from_response_name(name).into());
                    }
                    // A response of the handler's own (the reset page's HTML) keeps its content
                    // and gains the JSON error body the extractors and middleware answer with.
                    Entry::Occupied(mut entry) => {
                        if let RefOr::T(own) = entry.get_mut() {
                            own.content
                                .entry("application/json".to_owned())
                                .or_insert_with(|| Content::new(Some(schema(body_schema))).into());
                        }
                    }
                }
            }
        }
    }
}

fn response(description: &str, body_schema: &str) -> Response {
    ResponseBuilder::new()
        .description(description)
        .content("application/json", Content::new(Some(schema(body_schema))))
        .build()
}

/// A named schema, or for "" the 400's: field errors or `{detail, code}`.
fn schema(name: &str) -> RefOr<Schema> {
    if name.is_empty() {
        Schema::AnyOf(
            AnyOfBuilder::new()
                .item(Ref::from_schema_name("FieldErrors"))
                .item(Ref::from_schema_name("ErrorBody"))
                .build(),
        )
        .into()
    } else {
        Ref::from_schema_name(name).into()
    }
}
