//! Account use cases: what the server does for a caller, apart from how a wire format asks.
//!
//! The canonical handlers (`http::*`) and the seed-compatible ones (`http::compat`) each parse
//! their own request shape into the typed input here, call one of these functions and render the
//! result their own way. So every security event — login (ok or failed), logout, refresh-token
//! reuse, password change and reset, activation, email change, account deletion — passes through
//! exactly one function, which receives the caller's `Device` wherever the request has one: the
//! one place to record it, whichever of the six APIs the client speaks.

pub mod activation;
pub mod email;
pub mod login;
pub mod mfa;
pub mod password;
pub mod profile;
pub mod register;
pub mod reset;
pub mod tokens;
