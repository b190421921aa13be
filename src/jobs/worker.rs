//! The worker loop: claim due jobs with a lease, run each, then acknowledge it, schedule a retry
//! with exponential backoff, or move it to the dead-letter state after the last attempt. It also
//! runs the periodic clean-up of expired sessions, codes and finished jobs.

use std::sync::Arc;
use std::time::Duration;

use chrono::TimeDelta;
use gatehouse_domain::{JobRecord, Store};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use super::Job;
use crate::clock::Clock;
use crate::config::Config;
use crate::mail::{Mailer, SentMail, render};

/// Jobs claimed per round trip.
const BATCH: u32 = 16;
/// How often the clean-up runs.
const CLEANUP_EVERY: Duration = Duration::from_mins(10);
/// Ended sessions and used codes are kept this long (for the audit of recent events and so a
/// revoked session outlives every access token it issued), then deleted.
const KEEP_ENDED: TimeDelta = TimeDelta::days(1);
/// Finished jobs are kept this long for inspection.
const KEEP_DONE_JOBS: TimeDelta = TimeDelta::days(7);

#[derive(Debug, Clone)]
pub struct Worker {
    id: String,
    store: Arc<dyn Store>,
    mailer: Mailer,
    clock: Clock,
    wake: Arc<Notify>,
    mail_from: String,
    site_name: String,
    lease: TimeDelta,
    max_attempts: i32,
    retry_base: Duration,
    retry_max: Duration,
    poll: Duration,
    audit_retention: TimeDelta,
}

impl Worker {
    pub fn new(
        store: Arc<dyn Store>,
        mailer: Mailer,
        clock: Clock,
        wake: Arc<Notify>,
        config: &Config,
    ) -> Self {
        Self {
            id: format!(
                "worker-{}",
                &uuid::Uuid::new_v4().simple().to_string()[..12]
            ),
            store,
            mailer,
            clock,
            wake,
            mail_from: config.mail_from.clone(),
            site_name: config.site_name.clone(),
            lease: TimeDelta::from_std(config.job_lease).unwrap_or(TimeDelta::seconds(30)),
            max_attempts: i32::try_from(config.job_max_attempts).unwrap_or(i32::MAX),
            retry_base: config.job_retry_base,
            retry_max: config.job_retry_max,
            poll: config.job_poll,
            audit_retention: TimeDelta::from_std(config.audit_retention)
                .unwrap_or(TimeDelta::days(90)),
        }
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    /// Runs until `stop`: drains due jobs, then sleeps until woken by a local enqueue or the poll
    /// interval; cleans up every ten minutes. A job in progress when `stop` fires is finished.
    pub async fn run(self, stop: CancellationToken) {
        tracing::info!(worker = %self.id, "job worker started");
        let mut cleanup = tokio::time::interval(CLEANUP_EVERY);
        cleanup.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            if let Err(e) = self.drain().await {
                tracing::warn!(worker = %self.id, error = %format!("{e:#}"), "claiming jobs failed");
            }
            tokio::select! {
                () = stop.cancelled() => break,
                () = self.wake.notified() => {}
                () = tokio::time::sleep(self.poll) => {}
                _ = cleanup.tick() => self.cleanup().await,
            }
        }
        tracing::info!(worker = %self.id, "job worker stopped");
    }

    /// Runs every job due now, batch by batch, until none is left; returns how many ran.
    pub async fn drain(&self) -> anyhow::Result<usize> {
        let mut ran = 0;
        loop {
            let now = self.clock.now();
            let jobs = self
                .store
                .claim_jobs(&self.id, now, now + self.lease, BATCH)
                .await?;
            if jobs.is_empty() {
                return Ok(ran);
            }
            for job in jobs {
                self.run_one(job).await;
                ran += 1;
            }
        }
    }

    async fn run_one(&self, job: JobRecord) {
        let outcome = match Job::decode(&job.kind, &job.payload) {
            Ok(typed) => self.execute(typed).await.map_err(|e| (e, true)),
            Err(e) => Err((e, false)),
        };
        let now = self.clock.now();
        let acknowledged = match outcome {
            Ok(()) => self.store.finish_job(job.id, &self.id, now).await,
            Err((e, retryable)) if retryable && job.attempts < self.max_attempts => {
                let delay = backoff(self.retry_base, self.retry_max, job.attempts);
                tracing::warn!(job.id = job.id.0, job.kind = %job.kind, attempt = job.attempts, retry_in = ?delay, error = %format!("{e:#}"), "job failed; will retry");
                let at = now + TimeDelta::from_std(delay).unwrap_or(TimeDelta::MAX);
                self.store
                    .retry_job(job.id, &self.id, &format!("{e:#}"), at)
                    .await
            }
            Err((e, _)) => {
                tracing::error!(job.id = job.id.0, job.kind = %job.kind, attempts = job.attempts, error = %format!("{e:#}"), "job failed for good; moved to dead letters");
                self.store
                    .bury_job(job.id, &self.id, &format!("{e:#}"), now)
                    .await
            }
        };
        match acknowledged {
            Ok(true) => {}
            Ok(false) => tracing::warn!(
                job.id = job.id.0,
                "lease lost before the job was acknowledged; another worker owns it now"
            ),
            Err(e) => {
                tracing::warn!(job.id = job.id.0, error = %e, "acknowledging a job failed; it runs again after its lease");
            }
        }
    }

    async fn execute(&self, job: Job) -> anyhow::Result<()> {
        match job {
            Job::Email(outgoing) => {
                let rendered = render(&outgoing, &self.site_name);
                let mail = SentMail {
                    message_id: outgoing.message_id,
                    to: outgoing.to,
                    subject: rendered.subject,
                    text: rendered.text,
                    html: rendered.html,
                };
                self.mailer.send(&self.mail_from, &mail).await?;
                tracing::info!(message_id = %mail.message_id, "email sent");
                Ok(())
            }
        }
    }

    async fn cleanup(&self) {
        let now = self.clock.now();
        let results = (
            self.store.prune_sessions(now - KEEP_ENDED).await,
            self.store.prune_secrets(now - KEEP_ENDED).await,
            self.store.prune_jobs(now - KEEP_DONE_JOBS).await,
            self.store.prune_audit(now - self.audit_retention).await,
        );
        match results {
            (Ok(sessions), Ok(secrets), Ok(jobs), Ok(audit)) => {
                tracing::info!(
                    sessions,
                    secrets,
                    jobs,
                    audit,
                    "clean-up removed expired rows"
                );
            }
            (sessions, secrets, jobs, audit) => {
                tracing::warn!(
                    ?sessions,
                    ?secrets,
                    ?jobs,
                    ?audit,
                    "clean-up failed in part"
                );
            }
        }
    }
}

/// `base × 2^(attempt − 1)`, at most `max`.
fn backoff(base: Duration, max: Duration, attempt: i32) -> Duration {
    let exponent = u32::try_from(attempt.saturating_sub(1))
        .unwrap_or(0)
        .min(30);
    base.saturating_mul(1 << exponent).min(max)
}

#[cfg(test)]
mod tests {
    use super::backoff;
    use std::time::Duration;

    #[test]
    fn retries_back_off_exponentially_up_to_the_cap() {
        let (base, max) = (Duration::from_secs(2), Duration::from_mins(5));
        let delays: Vec<u64> = (1..=10).map(|a| backoff(base, max, a).as_secs()).collect();
        assert_eq!(delays, [2, 4, 8, 16, 32, 64, 128, 256, 300, 300]);
    }
}
