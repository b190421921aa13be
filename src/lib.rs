//! gatehouse: an account and authentication API server.
//!
//! Reading order: `config` (what can be set) → `app` (state, start, shutdown) → `http` (routes
//! and the wire format) → `accounts` (the use cases every API shares) → `auth` (passwords,
//! tokens, sessions) → the `gatehouse-domain` crate (types and the store contract) → one store
//! crate. `limits` keeps brute force and floods out of all of it; `jobs` and `mail` carry side
//! effects out of the request path; `import` brings users over from a Django site.

pub mod accounts;
pub mod app;
pub mod audit;
pub mod auth;
pub mod cli;
pub mod clock;
pub mod config;
pub mod http;
pub mod import;
pub mod jobs;
pub mod limits;
pub mod mail;
pub mod store;
pub mod telemetry;
