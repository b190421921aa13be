//! Jobs: side effects (sending an email, cleaning up) stored in the same database as the state
//! change that causes them, committed in the same transaction, and run by workers that claim them
//! with a lease. The payload is opaque JSON text here; the server's `jobs` module gives it types.

use chrono::{DateTime, Utc};

/// The id of one job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct JobId(pub i64);

/// A job about to be enqueued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewJob {
    /// What runs it, e.g. `email`.
    pub kind: String,
    /// JSON text the runner understands.
    pub payload: String,
    pub run_at: DateTime<Utc>,
}

/// Where a job is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobState {
    /// Waiting for `run_at`.
    Queued,
    /// Claimed by a worker until `lease_until`; an expired lease makes it claimable again.
    Running,
    Done,
    /// Gave up after the maximum attempts; kept for inspection and manual retry.
    Dead,
}

impl JobState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Running => "running",
            Self::Done => "done",
            Self::Dead => "dead",
        }
    }

    pub fn from_str_opt(s: &str) -> Option<Self> {
        [Self::Queued, Self::Running, Self::Done, Self::Dead]
            .into_iter()
            .find(|j| j.as_str() == s)
    }
}

/// A job as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobRecord {
    pub id: JobId,
    pub kind: String,
    pub payload: String,
    pub state: JobState,
    /// Runs started so far, including the current one.
    pub attempts: i32,
    pub run_at: DateTime<Utc>,
    pub lease_until: Option<DateTime<Utc>>,
    pub locked_by: String,
    pub last_error: String,
    pub created_at: DateTime<Utc>,
    /// When it became done or dead.
    pub finished_at: Option<DateTime<Utc>>,
}

/// A page of jobs (administration) and how many match in all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobPage {
    pub total: u64,
    pub jobs: Vec<JobRecord>,
}
