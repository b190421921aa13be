//! Group commit for refresh rotations.
//!
//! Every rotation is a write. Committed one by one, rotations queue for the database's write
//! lock (SQLite has a single writer) and each pays a whole commit, which caps refreshes at a few
//! thousand per second. Instead, each node sends its rotations to one task that takes every
//! rotation waiting (up to [`MAX_BATCH`]), applies them in one statement
//! ([`Store::advance_sessions`]) and answers each caller. A rotation that arrives while a batch
//! commits waits for the next one: under light load a batch is a single rotation and nothing
//! waits on a timer; under heavy load many share one commit.
//!
//! Under load the next batch starts the moment one commits, before the answered handlers run,
//! so the database works on it while they sign tokens and write to their clients (about 5 % more
//! refreshes per second than letting the handlers run first). A batch that starts from idle
//! yields once to the scheduler before committing instead, so handlers woken in the same turn
//! can still join it (about a sixth more refreshes per second than committing at once).
//!
//! Each step is still a compare-and-set in the database and is answered only after its commit,
//! so nodes sharing a database stay exact and a client is never told of a rotation that was
//! not stored.

use std::sync::Arc;

use gatehouse_domain::{Advance, Store, StoreError, UserId};
use tokio::sync::{mpsc, oneshot};

/// Most rotations committed together; more wait for the next batch.
const MAX_BATCH: usize = 256;
/// Rotations that may wait for a batch before callers wait to queue.
const QUEUE: usize = 4096;

type Answer = Result<Option<UserId>, StoreError>;

/// A handle on this node's rotation task; cheap to clone. The task ends with the last handle.
#[derive(Debug, Clone)]
pub struct Rotator {
    queue: mpsc::Sender<(Advance, oneshot::Sender<Answer>)>,
}

impl Rotator {
    /// Starts the task on the current tokio runtime.
    pub fn start(store: Arc<dyn Store>) -> Self {
        let (queue, waiting) = mpsc::channel(QUEUE);
        tokio::spawn(run(store, waiting));
        Self { queue }
    }

    /// Applies `step` once its batch commits: the session's user if the session moved, `None`
    /// if it was not at `step.from`, or is unknown, revoked or expired.
    pub async fn advance(&self, step: Advance) -> Answer {
        let (answer, answered) = oneshot::channel();
        self.queue
            .send((step, answer))
            .await
            .map_err(|_| stopped())?;
        answered.await.map_err(|_| stopped())?
    }
}

async fn run(
    store: Arc<dyn Store>,
    mut waiting: mpsc::Receiver<(Advance, oneshot::Sender<Answer>)>,
) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    let mut steps = Vec::with_capacity(MAX_BATCH);
    loop {
        // Rotations that queued while the last batch committed go at once: the database works
        // on them while the last batch's handlers answer their clients.
        take_waiting(&mut waiting, &mut batch);
        if batch.is_empty() {
            if waiting.recv_many(&mut batch, MAX_BATCH).await == 0 {
                return;
            }
            // Handlers woken with this one may be about to send their rotations: one turn of
            // the scheduler (not a timer) lets them join this batch instead of the next.
            tokio::task::yield_now().await;
            take_waiting(&mut waiting, &mut batch);
        }
        steps.extend(batch.iter().map(|(step, _)| *step));
        match store.advance_sessions(&steps).await {
            Ok(moved) if moved.len() == steps.len() => {
                for ((_, answer), user) in batch.drain(..).zip(moved) {
                    // The caller may have gone (its client hung up); the rotation still counts,
                    // and the grace window answers the client's retry with the same token.
                    let _ = answer.send(Ok(user));
                }
            }
            Ok(moved) => fail(
                &mut batch,
                &format!("{} answers for {} rotations", moved.len(), steps.len()),
            ),
            Err(e) => {
                tracing::error!(error = %e, rotations = steps.len(), "refresh rotations failed");
                fail(&mut batch, &e.to_string());
            }
        }
        steps.clear();
    }
}

/// Moves rotations already queued into `batch`, up to [`MAX_BATCH`], without waiting.
fn take_waiting(
    waiting: &mut mpsc::Receiver<(Advance, oneshot::Sender<Answer>)>,
    batch: &mut Vec<(Advance, oneshot::Sender<Answer>)>,
) {
    while batch.len() < MAX_BATCH
        && let Ok(more) = waiting.try_recv()
    {
        batch.push(more);
    }
}

fn fail(batch: &mut Vec<(Advance, oneshot::Sender<Answer>)>, why: &str) {
    for (_, answer) in batch.drain(..) {
        let _ = answer.send(Err(StoreError::Other(
            format!("session rotation failed: {why}").into(),
        )));
    }
}

fn stopped() -> StoreError {
    StoreError::Other("the session rotation task has stopped".into())
}
