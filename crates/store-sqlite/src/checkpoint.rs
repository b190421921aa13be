//! Checkpoints in the background, so that a refresh seldom waits for one.
//!
//! In WAL mode a commit appends its pages to the log, and SQLite copies the log back into the
//! database file (a checkpoint) once the log holds 1,000 pages: on the connection whose commit
//! crossed that line, before that commit's statement returns. With `synchronous=NORMAL` a
//! checkpoint writes every page in the log and calls `fsync` twice (the log, then the file).
//! Under a refresh load that connection is the rotations' one, and every refresh queued for the
//! next batch waited for it: on a VM's disk the `fsync`s took 13 ms on average and up to 178 ms,
//! and they set the refreshes' 99th percentile (`docs/performance.md`).
//!
//! A passive checkpoint does not stop writers, so a task on a connection of its own runs one
//! [`PAUSE`] after rotations commit, and keeps running them while rotations go on. The
//! automatic checkpoint still runs where it did, and still bounds the log: only a checkpoint
//! that copies every page in the log lets the next commit start the log over, and one running
//! beside the writer rarely does, since the writer keeps adding pages behind it. But it now
//! finds nearly all of the log copied, and has only the last few pages to write. Its two
//! `fsync`s remain: a passive checkpoint syncs the database file only when it copied every page.

use std::sync::PoisonError;
use std::time::Duration;

use sqlx::{Connection as _, SqliteConnection};
use tokio::sync::{Mutex, mpsc};
use tokio::task::JoinHandle;

/// How long after a commit the background checkpoint starts: commits in between share it.
const PAUSE: Duration = Duration::from_millis(50);

/// A handle on the checkpointing task; [`Checkpointer::close`] ends it.
#[derive(Debug)]
pub(crate) struct Checkpointer {
    /// Holds at most one "written since the last checkpoint"; `None` once closed.
    wrote: std::sync::Mutex<Option<mpsc::Sender<()>>>,
    task: Mutex<Option<JoinHandle<()>>>,
}

impl Checkpointer {
    /// Starts the task on the current tokio runtime; it checkpoints through `conn`.
    pub(crate) fn start(conn: SqliteConnection) -> Self {
        let (wrote, written) = mpsc::channel(1);
        Self {
            wrote: std::sync::Mutex::new(Some(wrote)),
            task: Mutex::new(Some(tokio::spawn(run(conn, written)))),
        }
    }

    /// Call after a commit: a checkpoint follows within [`PAUSE`] (or after the running one).
    pub(crate) fn wrote(&self) {
        let wrote = self.wrote.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(wrote) = wrote.as_ref() {
            // Full means a checkpoint is already due, which covers this commit too.
            let _ = wrote.try_send(());
        }
    }

    /// Ends the task after the checkpoint it is running, and closes its connection.
    pub(crate) async fn close(&self) {
        self.wrote
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(task) = self.task.lock().await.take() {
            let _ = task.await;
        }
    }
}

async fn run(mut conn: SqliteConnection, mut written: mpsc::Receiver<()>) {
    while written.recv().await.is_some() {
        tokio::time::sleep(PAUSE).await;
        // The answer is (busy, pages in the log, pages copied); a checkpoint that could not
        // copy everything leaves the rest to the next one or to the automatic checkpoint.
        if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
            .execute(&mut conn)
            .await
        {
            tracing::warn!(error = %e, "background checkpoint failed");
        }
    }
    let _ = conn.close().await;
}
