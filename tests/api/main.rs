//! The integration suite: a real server per test on 127.0.0.1:0, driven over HTTP.
//!
//! SQLite in a temp dir by default; `TEST_DATABASE_URL=postgres://…` runs every test on a fresh
//! Postgres database, and `TEST_REDIS_URL` adds the multi-node revocation and rate-limit tests.

#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failed unwrap is a failed test"
)]

mod compat;
mod directory;
mod email_flows;
mod forged_tokens;
mod hashing;
mod headers;
mod health;
mod helpers;
mod hostile_input;
mod limits;
mod login;
mod logout;
mod mfa;
mod multi_node;
mod openapi;
mod password_change;
mod refresh;
mod register;
mod sessions;
mod transport;
mod users_me;
mod verify;
mod wire_errors;
