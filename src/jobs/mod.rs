//! Background jobs: typed `Job`s stored through the store's job queue, and the `Worker` that runs
//! them.
//!
//! A job is enqueued in the same transaction as the state change that causes it (the store's use
//! cases take a `NewJob`), so there is never a user without their activation email or an email
//! about a change that rolled back. Workers claim jobs with a lease; a worker that dies mid-job
//! loses its lease and another worker runs the job again, and the Message-ID fixed at enqueue time
//! makes that repeat recognisable.

pub mod worker;

use chrono::{DateTime, Utc};
use gatehouse_domain::NewJob;
use serde::{Deserialize, Serialize};

use crate::mail::Outgoing;

pub use worker::Worker;

/// Everything a worker knows how to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Job {
    /// Render and send one email.
    Email(Outgoing),
}

impl Job {
    pub const EMAIL: &'static str = "email";

    /// The row to enqueue, due at `now`.
    pub fn queued(&self, now: DateTime<Utc>) -> anyhow::Result<NewJob> {
        let (kind, payload) = match self {
            Self::Email(mail) => (Self::EMAIL, serde_json::to_string(mail)?),
        };
        Ok(NewJob {
            kind: kind.to_owned(),
            payload,
            run_at: now,
        })
    }

    /// The typed job of a stored row.
    pub fn decode(kind: &str, payload: &str) -> anyhow::Result<Self> {
        match kind {
            Self::EMAIL => Ok(Self::Email(serde_json::from_str(payload)?)),
            other => anyhow::bail!("unknown job kind {other:?}"),
        }
    }

    /// An email job for `mail`, due at `now`.
    pub fn email(mail: Outgoing, now: DateTime<Utc>) -> anyhow::Result<NewJob> {
        Self::Email(mail).queued(now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mail::MailKind;

    #[test]
    fn an_email_job_round_trips_through_its_row() {
        let mail = Outgoing::new(
            "a@example.com",
            "ann",
            MailKind::LoginCode {
                code: "123456".into(),
                minutes: 10,
            },
        );
        let row = Job::email(mail.clone(), Utc::now()).expect("encodes");
        assert_eq!(row.kind, "email");
        assert_eq!(
            Job::decode(&row.kind, &row.payload).expect("decodes"),
            Job::Email(mail)
        );
        assert!(Job::decode("nope", "{}").is_err());
    }
}
