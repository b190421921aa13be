//! gatehouse: an account and authentication API server.
//!
//! Reading order: `config` (what can be set) → `app` (state, start, shutdown) → `http` (routes
//! and the wire format) → `auth` (passwords, tokens, sessions) → the `gatehouse-domain` crate
//! (types and the store contract) → one store crate.

pub mod app;
pub mod auth;
pub mod cli;
pub mod clock;
pub mod config;
pub mod http;
pub mod store;
pub mod telemetry;
