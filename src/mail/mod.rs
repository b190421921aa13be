//! Sending email: SMTP (lettre), a file mailbox (`<data dir>/mail/*.eml`, the default), or
//! memory (tests). One enum rather than a trait object: the set is closed, and tests reach into
//! the Memory variant directly.
//!
//! A send is idempotent per Message-ID where the backend allows it: the file mailbox writes each
//! Message-ID once, and the Message-ID itself is fixed when the job is enqueued, so a retried SMTP
//! send is recognisable downstream as the same message.

pub mod message;
pub mod templates;

use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport as _, Message, Tokio1Executor};

pub use message::{MailKind, Outgoing};
pub use templates::{Rendered, render};

/// A message as handed to a backend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentMail {
    pub message_id: String,
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

#[derive(Clone)]
pub enum Mailer {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    File(PathBuf),
    Memory(Arc<Mutex<Vec<SentMail>>>),
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Smtp(_) => f.write_str("Mailer::Smtp"),
            Self::File(dir) => write!(f, "Mailer::File({})", dir.display()),
            Self::Memory(_) => f.write_str("Mailer::Memory"),
        }
    }
}

impl Mailer {
    /// An SMTP mailer for `smtp://host:port`, `smtp://host:587?tls=required`, `smtps://user:pass@host:465`.
    pub fn smtp(url: &str) -> anyhow::Result<Self> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| anyhow::anyhow!("GATEHOUSE_SMTP_URL: {e}"))?
            .timeout(Some(Duration::from_secs(20)))
            .build();
        Ok(Self::Smtp(transport))
    }

    pub fn memory() -> Self {
        Self::Memory(Arc::default())
    }

    /// Everything the Memory mailer has sent (empty for the others).
    pub fn sent(&self) -> Vec<SentMail> {
        match self {
            Self::Memory(sent) => sent.lock().unwrap_or_else(PoisonError::into_inner).clone(),
            _ => Vec::new(),
        }
    }

    /// Builds and delivers one message from `from`.
    pub async fn send(&self, from: &str, mail: &SentMail) -> anyhow::Result<()> {
        match self {
            Self::Memory(sent) => {
                let mut sent = sent.lock().unwrap_or_else(PoisonError::into_inner);
                if !sent.iter().any(|m| m.message_id == mail.message_id) {
                    sent.push(mail.clone());
                }
                Ok(())
            }
            Self::File(dir) => {
                let message = build(from, mail)?;
                write_file(dir, &mail.message_id, &message.formatted()).await
            }
            Self::Smtp(transport) => {
                let message = build(from, mail)?;
                transport
                    .send(message)
                    .await
                    .map_err(|e| anyhow::anyhow!("SMTP: {e}"))?;
                Ok(())
            }
        }
    }
}

fn build(from: &str, mail: &SentMail) -> anyhow::Result<Message> {
    let from: Mailbox = from
        .parse()
        .map_err(|e| anyhow::anyhow!("GATEHOUSE_MAIL_FROM: {e}"))?;
    let to: Mailbox = mail
        .to
        .parse()
        .map_err(|e| anyhow::anyhow!("recipient address: {e}"))?;
    Ok(Message::builder()
        .message_id(Some(mail.message_id.clone()))
        .from(from)
        .to(to)
        .subject(mail.subject.clone())
        .multipart(MultiPart::alternative_plain_html(
            mail.text.clone(),
            mail.html.clone(),
        ))?)
}

/// Writes `<time>-<id>.eml` unless a file for this Message-ID already exists (a retried job).
async fn write_file(dir: &std::path::Path, message_id: &str, bytes: &[u8]) -> anyhow::Result<()> {
    let id: String = message_id
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    tokio::fs::create_dir_all(dir).await?;
    let suffix = format!("-{id}.eml");
    let mut entries = tokio::fs::read_dir(dir).await?;
    while let Some(entry) = entries.next_entry().await? {
        if entry.file_name().to_string_lossy().ends_with(&suffix) {
            return Ok(());
        }
    }
    let name = format!("{}{suffix}", chrono::Utc::now().format("%Y%m%d-%H%M%S"));
    let partial = dir.join(format!(".{name}.part"));
    tokio::fs::write(&partial, bytes).await?;
    tokio::fs::rename(&partial, dir.join(name)).await?;
    Ok(())
}
