//! The job queue behind every email, on the store under test: a worker that dies mid-job, two
//! workers on one database, retries with backoff, and the dead-letter state.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use chrono::TimeDelta;
use gatehouse_domain::JobState;
use reqwest::StatusCode;

use super::smtp_sink::SmtpSink;
use super::support::{MailTest, all_jobs, smtp_config};
use crate::helpers::TestApp;

#[tokio::test]
async fn a_job_held_by_a_dead_worker_is_delivered_once_after_its_lease() {
    let t = MailTest::spawn().await;
    let body = TestApp::new_user_body();
    assert_eq!(t.app.register(&body).await.status, StatusCode::CREATED);
    let now = t.app.clock.now();
    let claimed = t
        .app
        .store()
        .claim_jobs("dead-worker", now, now + TimeDelta::seconds(30), 10)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1, "{claimed:#?}");
    let job = claimed[0].id;

    assert_eq!(t.app.drain_jobs().await, 0, "the lease is held");
    assert!(t.sink.received().is_empty());
    t.app.clock.advance(Duration::from_secs(31));
    let mail = t.deliver_one(body["email"].as_str().unwrap()).await;

    assert!(mail.subject().contains("activation"), "{}", mail.subject());
    let record = t.app.store().job(job).await.unwrap().unwrap();
    assert_eq!(record.state, JobState::Done, "{record:#?}");
    assert_eq!(record.attempts, 2, "{record:#?}");
    let late = t
        .app
        .store()
        .finish_job(job, "dead-worker", t.app.clock.now())
        .await
        .unwrap();
    assert!(!late, "the dead worker's late acknowledgement is refused");
    t.app.clock.advance(Duration::from_mins(1));
    t.deliver_none().await;
    assert_eq!(t.sink.received().len(), 1, "delivered exactly once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_workers_on_one_database_send_each_email_exactly_once() {
    let sink = SmtpSink::start().await;
    let configure = |c: &mut gatehouse::config::Config| {
        smtp_config(c, &sink);
        c.worker = true;
        c.job_poll = Duration::from_millis(10);
    };
    let a = TestApp::spawn_with(configure).await;
    let b = a.spawn_peer(configure).await;
    let bodies: Vec<_> = (0..20).map(|_| TestApp::new_user_body()).collect();

    let answers = futures_util::future::join_all(bodies.iter().map(|body| a.register(body))).await;

    for answer in &answers {
        assert_eq!(answer.status, StatusCode::CREATED, "{answer:#?}");
    }
    sink.wait_for(20, Duration::from_secs(20)).await;
    let started = Instant::now();
    let jobs = loop {
        let jobs = all_jobs(&b).await;
        if jobs.len() == 20 && jobs.iter().all(|j| j.state == JobState::Done) {
            break jobs;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "jobs not done: {jobs:#?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let received = sink.received();
    assert_eq!(received.len(), 20, "no email twice");
    let recipients: HashSet<_> = received.iter().flat_map(|r| r.recipients.clone()).collect();
    let expected: HashSet<_> = bodies
        .iter()
        .map(|b| b["email"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(recipients, expected, "each recipient once");
    let ids: HashSet<_> = received
        .iter()
        .map(|r| r.mail().message_id().to_owned())
        .collect();
    assert_eq!(ids.len(), 20, "no duplicate Message-ID");
    assert!(jobs.iter().all(|j| j.attempts == 1), "{jobs:#?}");
    let workers: HashSet<_> = jobs.iter().map(|j| j.locked_by.as_str()).collect();
    eprintln!("20 activation emails sent by {} worker(s)", workers.len());
}

#[tokio::test]
async fn a_refused_delivery_is_retried_with_backoff_until_it_succeeds() {
    let t = MailTest::spawn().await;
    t.sink.fail_next_data(2);
    let body = TestApp::new_user_body();
    assert_eq!(t.app.register(&body).await.status, StatusCode::CREATED);
    let email = body["email"].as_str().unwrap();

    t.deliver_none().await;
    let job = all_jobs(&t.app).await.remove(0);
    assert_eq!((job.state, job.attempts), (JobState::Queued, 1), "{job:#?}");
    assert!(job.last_error.contains("451"), "{job:#?}");
    assert_eq!(
        job.run_at,
        t.app.clock.now() + TimeDelta::seconds(2),
        "first retry after 2 s"
    );
    t.app.clock.advance(Duration::from_secs(1));
    t.deliver_none().await;
    t.app.clock.advance(Duration::from_secs(1));
    t.deliver_none().await;
    let job = t.app.store().job(job.id).await.unwrap().unwrap();
    assert_eq!((job.state, job.attempts), (JobState::Queued, 2), "{job:#?}");
    assert_eq!(
        job.run_at,
        t.app.clock.now() + TimeDelta::seconds(4),
        "then after 4 s"
    );
    t.app.clock.advance(Duration::from_secs(3));
    t.deliver_none().await;
    t.app.clock.advance(Duration::from_secs(1));
    let mail = t.deliver_one(email).await;

    assert!(mail.subject().contains("activation"), "{}", mail.subject());
    assert_eq!(t.sink.refused(), 2);
    let job = t.app.store().job(job.id).await.unwrap().unwrap();
    assert_eq!((job.state, job.attempts), (JobState::Done, 3), "{job:#?}");
    t.app.clock.advance(Duration::from_mins(10));
    t.deliver_none().await;
}

#[tokio::test]
async fn a_delivery_refused_every_time_ends_in_the_dead_letters() {
    let t = MailTest::spawn_with(|c| c.job_max_attempts = 2).await;
    t.sink.fail_every_data();
    let body = TestApp::new_user_body();

    let answer = t.app.register(&body).await;
    t.deliver_none().await;
    t.app.clock.advance(Duration::from_secs(2));
    t.deliver_none().await;

    assert_eq!(answer.status, StatusCode::CREATED, "{answer:#?}");
    let job = all_jobs(&t.app).await.remove(0);
    assert_eq!((job.state, job.attempts), (JobState::Dead, 2), "{job:#?}");
    assert!(job.last_error.contains("451"), "{job:#?}");
    assert!(job.finished_at.is_some(), "{job:#?}");
    t.app.clock.advance(Duration::from_hours(1));
    t.deliver_none().await;
    assert_eq!(t.sink.refused(), 2, "no third try");
}
