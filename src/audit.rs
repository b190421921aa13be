//! Writing the audit log: one call per security event, from the use case that caused it.
//!
//! An entry is written after the change it records has committed. A failure to write it is
//! logged and does not undo or fail the request: the change already happened, and refusing the
//! caller's next login because the log is unwritable would turn an audit problem into an outage.
//! A successful login is the exception: its entry goes to the store with its session
//! (`Entry::into_new`, `Sessions::open`) and commits in the same statement.

use std::sync::Arc;

use gatehouse_domain::{AuditEvent, NewAuditEntry, Store, UserId};
use serde_json::Value;

use crate::auth::Device;
use crate::clock::Clock;

/// The longest user agent kept, in characters.
const MAX_USER_AGENT: usize = 512;

#[derive(Debug, Clone)]
pub struct Audit {
    store: Arc<dyn Store>,
    clock: Clock,
}

impl Audit {
    pub fn new(store: Arc<dyn Store>, clock: Clock) -> Self {
        Self { store, clock }
    }

    /// Starts an entry for `event` from the caller's `device`; finish it with `record`.
    pub fn event(&self, event: AuditEvent, device: &Device) -> Entry<'_> {
        Entry {
            audit: self,
            entry: NewAuditEntry {
                event,
                actor: None,
                target: None,
                ip: device.ip.clone(),
                user_agent: device.user_agent.chars().take(MAX_USER_AGENT).collect(),
                detail: "{}".to_owned(),
                at: self.clock.now(),
            },
        }
    }
}

/// An entry being filled in.
#[derive(Debug)]
#[must_use = "an audit entry is written only by `record`, or by the store call `into_new` feeds"]
pub struct Entry<'a> {
    audit: &'a Audit,
    entry: NewAuditEntry,
}

impl Entry<'_> {
    /// Who acted.
    pub fn actor(mut self, user: UserId) -> Self {
        self.entry.actor = Some(user);
        self
    }

    /// Whose account it concerns.
    pub fn target(mut self, user: UserId) -> Self {
        self.entry.target = Some(user);
        self
    }

    /// The user acting on their own account.
    pub fn by_self(self, user: UserId) -> Self {
        self.actor(user).target(user)
    }

    /// Event-specific facts; never a secret.
    pub fn detail(mut self, detail: &Value) -> Self {
        self.entry.detail = detail.to_string();
        self
    }

    /// The finished entry, for a store call that writes it in the same transaction as the
    /// change it records (a login's session: `Sessions::open`).
    pub fn into_new(self) -> NewAuditEntry {
        self.entry
    }

    pub async fn record(self) {
        if let Err(e) = self.audit.store.record_audit(&self.entry).await {
            tracing::error!(event = self.entry.event.as_str(), error = %e, "audit entry not written");
        }
    }
}
