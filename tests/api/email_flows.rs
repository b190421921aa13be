//! The emailed-code flows end to end, through a real SMTP conversation with a sink: activation,
//! passwordless login, password reset (code, token and link), email change; no enumeration; bad
//! codes; and the job queue that sends every email (crash safety, exactly once, retries).

mod activation;
mod bad_codes;
mod email_change;
mod enumeration;
mod file_mailbox;
mod job_queue;
pub mod mail;
mod password_reset;
mod passwordless;
mod races;
mod reset_link;
pub mod smtp_sink;
pub mod support;
