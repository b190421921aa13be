//! Password hashing on a bounded pool.
//!
//! Argon2id costs ~20 ms of CPU and 19 MiB of memory per hash by design, so hashing runs on the
//! blocking pool behind a semaphore of one slot per core, with a bounded number of requests
//! allowed to wait for a slot. Past that bound the caller gets `Busy` (503 + Retry-After) at
//! once, so a login flood costs a fixed amount of memory instead of growing a queue.
//!
//! A login for an unknown user still verifies against a dummy hash, so response time does not
//! tell whether an account exists. Hashes from Django (`pbkdf2_sha256`, `argon2`) verify too and
//! are reported as needing a rehash, which the login path then stores as Argon2id.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
use argon2::{Algorithm, Argon2, Params, Version};
use gatehouse_domain::PlainPassword;
use tokio::sync::Semaphore;

use super::django;

/// Every hashing slot is taken and the wait queue is full; try again shortly.
#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error("password hashing is saturated")]
pub struct Busy;

/// The outcome of checking a password against a stored hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Invalid,
    Valid,
    /// Valid, but stored with another algorithm or other parameters: store a fresh hash.
    ValidNeedsRehash,
}

#[derive(Debug, Clone)]
pub struct Passwords {
    params: Params,
    slots: Arc<Semaphore>,
    /// Requests hashing or waiting to hash right now.
    in_flight: Arc<AtomicUsize>,
    /// Slots plus the allowed wait queue: more in flight than this is refused.
    capacity: usize,
    /// Verified against when the user does not exist, so the miss costs one hash too.
    dummy_hash: Arc<str>,
}

impl Passwords {
    pub fn new(params: Params, concurrency: usize, max_waiting: usize) -> anyhow::Result<Self> {
        let dummy = argon2(&params)
            .hash_password(b"gatehouse dummy password")
            .map_err(|e| anyhow::anyhow!("argon2: {e}"))?
            .to_string();
        Ok(Self {
            params,
            slots: Arc::new(Semaphore::new(concurrency.max(1))),
            in_flight: Arc::new(AtomicUsize::new(0)),
            capacity: concurrency.max(1) + max_waiting,
            dummy_hash: dummy.into(),
        })
    }

    /// Hashes a new password as an Argon2id PHC string.
    pub async fn hash(&self, password: &PlainPassword) -> Result<String, Busy> {
        let params = self.params.clone();
        let password = password.clone();
        self.run(move || {
            argon2(&params)
                .hash_password(password.expose().as_bytes())
                .map(|h| h.to_string())
        })
        .await?
        .map_err(|e| {
            tracing::error!(error = %e, "argon2 hashing failed");
            Busy
        })
    }

    /// Checks `password` against `stored`; `None` (no such user) verifies against a dummy hash
    /// and is always `Invalid`.
    pub async fn verify(
        &self,
        password: &PlainPassword,
        stored: Option<&str>,
    ) -> Result<Verdict, Busy> {
        let known = stored.is_some();
        let stored: Arc<str> = stored.map_or_else(|| self.dummy_hash.clone(), Arc::from);
        let password = password.clone();
        let params = self.params.clone();
        let verdict = self
            .run(move || check(&params, password.expose(), &stored))
            .await?;
        Ok(if known { verdict } else { Verdict::Invalid })
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, Busy> {
        // Take a place first and refuse at once when there is none; the guard gives the place
        // back even if this request is cancelled while it waits.
        let _place = Place::take(&self.in_flight, self.capacity).ok_or(Busy)?;
        let permit = self.slots.clone().acquire_owned().await.map_err(|_| Busy)?;
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            work()
        })
        .await
        .map_err(|_| Busy)
    }
}

/// A place among the requests allowed to hash or wait; released on drop.
struct Place(Arc<AtomicUsize>);

impl Place {
    fn take(in_flight: &Arc<AtomicUsize>, capacity: usize) -> Option<Self> {
        if in_flight.fetch_add(1, Ordering::AcqRel) >= capacity {
            in_flight.fetch_sub(1, Ordering::AcqRel);
            return None;
        }
        Some(Self(in_flight.clone()))
    }
}

impl Drop for Place {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

fn argon2(params: &Params) -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
}

/// Verifies a PHC Argon2 string or a Django hash; decides whether it should be re-hashed.
fn check(params: &Params, password: &str, stored: &str) -> Verdict {
    if let Some(django) = django::Hash::parse(stored) {
        return if django.verify(password) {
            Verdict::ValidNeedsRehash
        } else {
            Verdict::Invalid
        };
    }
    let Ok(hash) = PasswordHash::new(stored) else {
        return Verdict::Invalid;
    };
    if argon2(params)
        .verify_password(password.as_bytes(), &hash)
        .is_err()
    {
        return Verdict::Invalid;
    }
    let current = hash.algorithm.as_str() == "argon2id"
        && Params::try_from(&hash).is_ok_and(|p| {
            p.m_cost() == params.m_cost()
                && p.t_cost() == params.t_cost()
                && p.p_cost() == params.p_cost()
        });
    if current {
        Verdict::Valid
    } else {
        Verdict::ValidNeedsRehash
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> Passwords {
        let params = Params::new(64, 1, 1, None).expect("valid params");
        Passwords::new(params, 1, 0).expect("hasher")
    }

    fn pw(s: &str) -> PlainPassword {
        PlainPassword::new(s.to_owned()).expect("valid password")
    }

    #[tokio::test]
    async fn a_hash_verifies_its_password_only() {
        let passwords = small();
        let hash = passwords.hash(&pw("correct horse")).await.expect("hash");
        assert!(hash.starts_with("$argon2id$"));
        assert_eq!(
            passwords
                .verify(&pw("correct horse"), Some(&hash))
                .await
                .ok(),
            Some(Verdict::Valid)
        );
        assert_eq!(
            passwords.verify(&pw("wrong horse"), Some(&hash)).await.ok(),
            Some(Verdict::Invalid)
        );
        assert_eq!(
            passwords.verify(&pw("correct horse"), None).await.ok(),
            Some(Verdict::Invalid)
        );
    }

    #[tokio::test]
    async fn a_hash_with_other_parameters_asks_for_a_rehash() {
        let old =
            Passwords::new(Params::new(128, 1, 1, None).expect("params"), 1, 0).expect("hasher");
        let hash = old.hash(&pw("correct horse")).await.expect("hash");
        assert_eq!(
            small().verify(&pw("correct horse"), Some(&hash)).await.ok(),
            Some(Verdict::ValidNeedsRehash)
        );
    }
}
