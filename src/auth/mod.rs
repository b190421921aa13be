//! Authentication: password hashing, access and refresh tokens, sessions and their revocation.
//!
//! The HTTP layer calls `Sessions` for everything that issues, rotates or ends a session, so
//! the rules (rotation, grace, reuse detection, immediate revocation) live in one place.

pub mod access;
pub mod argon;
pub mod codes;
pub mod django;
pub mod keys;
pub mod mfa;
pub mod passwords;
pub mod refresh;
pub mod revocation;
pub mod rotation;
pub mod secrets;
pub mod sessions;
pub mod totp;
pub mod user_cache;

pub use access::{AccessTokens, Claims, TokenError};
pub use passwords::{Busy, Passwords, Verdict};
pub use refresh::RefreshCodec;
pub use revocation::Revocations;
pub use sessions::{Device, RefreshError, Sessions, TokenPair};
