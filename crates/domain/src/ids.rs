//! Typed ids, so a user id can never be passed where a session id belongs.

use std::fmt;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A user's integer id (Django-compatible, so imported users keep their ids).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UserId(pub i64);

/// A user's public, unguessable id: the `sub` claim of their access tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PublicId(pub Uuid);

/// One login on one device: the `sid` claim, and the family every rotated refresh token shares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SessionId(pub Uuid);

impl PublicId {
    pub fn random() -> Self {
        Self(Uuid::new_v4())
    }
}

impl SessionId {
    /// A new id, ordered by creation time (a version 7 UUID: a millisecond timestamp, then 74
    /// random bits). Every login inserts one into the sessions table's primary-key index; in
    /// creation order it lands beside the last one instead of on a random page of an index too
    /// large for the database's page cache (`docs/DESIGN.md`). The id is not a secret: a refresh
    /// token carries it under a MAC, and the session's start time is no secret from its owner.
    pub fn random() -> Self {
        Self(Uuid::now_v7())
    }
}

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl fmt::Display for PublicId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl fmt::Display for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}
