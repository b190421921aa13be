//! The users that authorized requests recently, so a request with a valid access token needs no
//! database read. Authorization still follows the user's *current* state (active, role, staff):
//! every change made through this node drops the entry here and is announced to the other nodes
//! over Redis (see `revocation.rs`), and an entry older than the configured time to live is read
//! again, which bounds how long a node without Redis can miss another node's change — the same
//! bound the revocation set has.

use std::collections::HashMap;
use std::sync::{Arc, PoisonError, RwLock};

use chrono::{DateTime, TimeDelta, Utc};
use gatehouse_domain::{User, UserId};

use crate::clock::Clock;

/// Entries kept at most; past it the cache starts over (it refills from the store).
const CAPACITY: usize = 100_000;

/// Each user with the time they were read.
type Entries = HashMap<UserId, (User, DateTime<Utc>)>;

#[derive(Debug, Clone)]
pub struct UserCache {
    entries: Arc<RwLock<Entries>>,
    ttl: TimeDelta,
    clock: Clock,
}

impl UserCache {
    /// A cache whose entries live `ttl`; a zero `ttl` turns it off.
    pub fn new(ttl: std::time::Duration, clock: Clock) -> Self {
        Self {
            entries: Arc::default(),
            ttl: TimeDelta::from_std(ttl).unwrap_or(TimeDelta::zero()),
            clock,
        }
    }

    /// The user as read within the time to live, if any.
    pub fn get(&self, id: UserId) -> Option<User> {
        let entries = self.entries.read().unwrap_or_else(PoisonError::into_inner);
        let (user, read_at) = entries.get(&id)?;
        (self.clock.now() - *read_at < self.ttl).then(|| user.clone())
    }

    /// Keeps `user` as just read from the store.
    pub fn put(&self, user: User) {
        if self.ttl <= TimeDelta::zero() {
            return;
        }
        let now = self.clock.now();
        let mut entries = self.entries.write().unwrap_or_else(PoisonError::into_inner);
        if entries.len() >= CAPACITY {
            entries.clear();
        }
        entries.insert(user.id, (user, now));
    }

    /// Drops the entries of users that changed.
    pub fn forget(&self, ids: &[UserId]) {
        let mut entries = self.entries.write().unwrap_or_else(PoisonError::into_inner);
        for id in ids {
            entries.remove(id);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use chrono::Utc;
    use gatehouse_domain::{PublicId, Role, User, UserId};

    use super::UserCache;
    use crate::clock::Clock;

    fn user(id: i64) -> User {
        User {
            id: UserId(id),
            public_id: PublicId::random(),
            username: format!("u{id}"),
            email: format!("u{id}@example.com"),
            first_name: String::new(),
            last_name: String::new(),
            phone_number: String::new(),
            date_of_birth: None,
            gender: String::new(),
            role: Role::from_store("client".to_owned()),
            is_active: true,
            is_email_verified: true,
            is_staff: false,
            is_superuser: false,
            date_joined: Utc::now(),
            last_login: None,
        }
    }

    #[test]
    fn entries_live_their_time_and_can_be_forgotten() {
        let clock = Clock::manual();
        let cache = UserCache::new(Duration::from_secs(2), clock.clone());
        cache.put(user(1));
        cache.put(user(2));
        assert!(cache.get(UserId(1)).is_some());
        cache.forget(&[UserId(1)]);
        assert!(cache.get(UserId(1)).is_none());
        clock.advance(Duration::from_secs(2));
        assert!(cache.get(UserId(2)).is_none(), "expired");
    }

    #[test]
    fn a_zero_time_to_live_keeps_nothing() {
        let cache = UserCache::new(Duration::ZERO, Clock::manual());
        cache.put(user(1));
        assert!(cache.get(UserId(1)).is_none());
    }
}
