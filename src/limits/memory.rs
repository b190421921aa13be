//! Expiring counters in this node's memory: the backend on a single node, and the fallback when
//! Redis does not answer. Time comes from the injected `Clock`, so tests move it forward.
//!
//! Memory is bounded: expired entries are dropped as the map grows, and if it is still full the
//! half closest to expiry goes (those limits would have lapsed soonest anyway).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::clock::Clock;

/// Most entries kept (about 100 bytes each).
const MAX_ENTRIES: usize = 100_000;

#[derive(Debug, Clone, Copy)]
struct Entry {
    count: u64,
    expires: DateTime<Utc>,
}

/// Counters that vanish when their time is up.
#[derive(Debug, Clone)]
pub struct Memory {
    entries: Arc<Mutex<HashMap<String, Entry>>>,
    clock: Clock,
}

impl Memory {
    pub fn new(clock: Clock) -> Self {
        Self {
            entries: Arc::default(),
            clock,
        }
    }

    /// Adds one to `key` (a new window of `window` starts if it had none); returns the count and
    /// the time left in the window.
    pub fn incr(&self, key: &str, window: Duration) -> (u64, Duration) {
        let now = self.clock.now();
        let mut entries = self.lock();
        let live = entries.get(key).copied().filter(|e| e.expires > now);
        let entry = match live {
            Some(e) => Entry {
                count: e.count + 1,
                expires: e.expires,
            },
            None => {
                make_room(&mut entries, now);
                Entry {
                    count: 1,
                    expires: now + window,
                }
            }
        };
        entries.insert(key.to_owned(), entry);
        (entry.count, left(entry.expires, now))
    }

    /// Sets `key` for `ttl`.
    pub fn set(&self, key: &str, ttl: Duration) {
        let now = self.clock.now();
        let mut entries = self.lock();
        if !entries.contains_key(key) {
            make_room(&mut entries, now);
        }
        entries.insert(
            key.to_owned(),
            Entry {
                count: 1,
                expires: now + ttl,
            },
        );
    }

    /// The time `key` has left, if it is set.
    pub fn ttl(&self, key: &str) -> Option<Duration> {
        let now = self.clock.now();
        self.lock()
            .get(key)
            .filter(|e| e.expires > now)
            .map(|e| left(e.expires, now))
    }

    pub fn delete(&self, key: &str) {
        self.lock().remove(key);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Entry>> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

fn left(expires: DateTime<Utc>, now: DateTime<Utc>) -> Duration {
    (expires - now).to_std().unwrap_or_default()
}

/// Keeps the map under `MAX_ENTRIES` before an insert.
fn make_room(entries: &mut HashMap<String, Entry>, now: DateTime<Utc>) {
    if entries.len() < MAX_ENTRIES {
        return;
    }
    entries.retain(|_, e| e.expires > now);
    if entries.len() < MAX_ENTRIES {
        return;
    }
    let mut expiries: Vec<DateTime<Utc>> = entries.values().map(|e| e.expires).collect();
    let middle = expiries.len() / 2;
    let (_, &mut median, _) = expiries.select_nth_unstable(middle);
    entries.retain(|_, e| e.expires > median);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_counter_restarts_after_its_window() {
        let clock = Clock::manual();
        let memory = Memory::new(clock.clone());
        let minute = Duration::from_mins(1);
        assert_eq!(memory.incr("k", minute).0, 1);
        assert_eq!(memory.incr("k", minute).0, 2);
        clock.advance(minute);
        assert_eq!(memory.incr("k", minute), (1, minute));
    }

    #[test]
    fn a_full_map_drops_what_expires_first() {
        let clock = Clock::manual();
        let memory = Memory::new(clock.clone());
        for i in 0..MAX_ENTRIES {
            memory.set(&i.to_string(), Duration::from_secs(10 + i as u64));
        }
        memory.set("new", Duration::from_hours(1));
        let len = memory.lock().len();
        assert!(len <= MAX_ENTRIES / 2 + 1, "{len} entries");
        assert!(memory.ttl("new").is_some());
        assert!(memory.ttl(&(MAX_ENTRIES - 1).to_string()).is_some());
    }
}
