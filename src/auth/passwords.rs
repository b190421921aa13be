//! Password hashing on a bounded pool.
//!
//! Argon2id costs ~20 ms of CPU and 19 MiB of memory per hash by design, so hashing runs on a
//! fixed set of dedicated threads (one per core by default) fed by a bounded queue. When the
//! queue is full the caller gets `Busy` (503 + Retry-After) at once, so a login flood costs a
//! fixed amount of memory instead of growing a queue. Dedicated threads matter for memory too:
//! the allocator keeps a freed 19 MiB block per thread that hashed, and tokio's blocking pool
//! would spread hashes over hundreds of threads (measured: 530 MB RSS after a login load with
//! `spawn_blocking`).
//!
//! A login for an unknown user still verifies against a dummy hash, so response time does not
//! tell whether an account exists. Hashes from Django (`pbkdf2_sha256`, `argon2`) verify too and
//! are reported as needing a rehash, which the login path then stores as Argon2id.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use argon2::Params;
use argon2::password_hash::phc::PasswordHash;
use flume::{Receiver, RecvTimeoutError, Sender};
use gatehouse_domain::PlainPassword;
use tokio::sync::oneshot;

use super::argon::{self, Scratch};
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

/// A unit of work for a hashing thread.
type Task = Box<dyn FnOnce(&mut Scratch) + Send>;

#[derive(Debug, Clone)]
pub struct Passwords {
    params: Params,
    queue: Sender<Task>,
    /// Tasks queued or running; at `capacity` new ones are refused.
    in_flight: Arc<AtomicUsize>,
    /// Hashing threads plus the allowed wait queue.
    capacity: usize,
    /// Verified against when the user does not exist, so the miss costs one hash too.
    dummy_hash: Arc<str>,
}

impl Passwords {
    /// Starts `threads` hashing threads behind a queue of `max_waiting` tasks. The threads end
    /// when the last clone of this value is dropped.
    pub fn new(params: Params, threads: usize, max_waiting: usize) -> anyhow::Result<Self> {
        let dummy = argon::hash(
            &params,
            b"gatehouse dummy password",
            &mut Scratch::default(),
        )
        .map_err(|e| anyhow::anyhow!("argon2: {e}"))?;
        let (queue, tasks) = flume::unbounded::<Task>();
        for i in 0..threads.max(1) {
            let tasks = tasks.clone();
            std::thread::Builder::new()
                .name(format!("gatehouse-hash-{i}"))
                .spawn(move || work(&tasks))?;
        }
        Ok(Self {
            params,
            queue,
            in_flight: Arc::default(),
            capacity: threads.max(1) + max_waiting,
            dummy_hash: dummy.into(),
        })
    }

    /// Hashes a new password as an Argon2id PHC string.
    pub async fn hash(&self, password: &PlainPassword) -> Result<String, Busy> {
        let params = self.params.clone();
        let password = password.clone();
        self.run(move |scratch| argon::hash(&params, password.expose().as_bytes(), scratch))
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
            .run(move |scratch| check(&params, password.expose(), &stored, scratch))
            .await?;
        Ok(if known { verdict } else { Verdict::Invalid })
    }

    /// Queues `work` for a hashing thread; `Busy` at once when the queue is full. A task counts
    /// until a thread has finished it, even if its caller stopped waiting.
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Scratch) -> T + Send + 'static,
    ) -> Result<T, Busy> {
        if self.in_flight.fetch_add(1, Ordering::AcqRel) >= self.capacity {
            self.in_flight.fetch_sub(1, Ordering::AcqRel);
            return Err(Busy);
        }
        let (reply, answer) = oneshot::channel();
        let in_flight = self.in_flight.clone();
        let task: Task = Box::new(move |scratch| {
            let result = work(scratch);
            // Free the place before answering, so the caller may queue its next task at once.
            in_flight.fetch_sub(1, Ordering::AcqRel);
            // The caller may have gone (timeout, disconnect); its answer is simply dropped.
            let _ = reply.send(result);
        });
        if self.queue.send(task).is_err() {
            self.in_flight.fetch_sub(1, Ordering::AcqRel);
            return Err(Busy);
        }
        answer.await.map_err(|_| Busy)
    }
}

/// How long a hashing thread keeps its memory with no work before giving it back.
const IDLE_RELEASE: Duration = Duration::from_secs(1);

/// A hashing thread: takes tasks until every sender is gone, always hashing into its own memory.
/// After [`IDLE_RELEASE`] without a task it frees that memory, so a burst of logins does not
/// leave `threads × m_cost` resident for good; the next hash allocates it again.
///
/// Every thread waits on the queue itself (flume's receiver is multi-consumer), so each one's
/// timeout runs. With one `std::sync::mpsc` receiver behind a mutex, an idle thread could wait
/// on the mutex for good while another re-took it after each timeout, and never free its
/// memory (measured: 43 MB RSS instead of 23 MB for as long as `me` ran after one login).
fn work(tasks: &Receiver<Task>) {
    let mut scratch = Scratch::default();
    loop {
        match tasks.recv_timeout(IDLE_RELEASE) {
            Ok(task) => task(&mut scratch),
            Err(RecvTimeoutError::Timeout) => scratch = Scratch::default(),
            Err(RecvTimeoutError::Disconnected) => return,
        }
    }
}

/// Largest memory cost a stored Argon2 hash may ask for (Django's default is 100 MiB).
const MAX_STORED_KIB: u32 = 256 * 1024;

/// Verifies a PHC Argon2 string or a Django hash; decides whether it should be re-hashed.
fn check(params: &Params, password: &str, stored: &str, scratch: &mut Scratch) -> Verdict {
    let django = django::Hash::parse(stored);
    let phc = match &django {
        Some(django::Hash::Argon2 { phc }) => *phc,
        Some(pbkdf2 @ django::Hash::Pbkdf2Sha256 { .. }) => {
            return if pbkdf2.verify(password) {
                Verdict::ValidNeedsRehash
            } else {
                Verdict::Invalid
            };
        }
        None => stored,
    };
    let Ok(hash) = PasswordHash::new(phc) else {
        return Verdict::Invalid;
    };
    if !argon::verify(&hash, password.as_bytes(), scratch, MAX_STORED_KIB) {
        return Verdict::Invalid;
    }
    let current = django.is_none()
        && hash.algorithm.as_str() == "argon2id"
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
