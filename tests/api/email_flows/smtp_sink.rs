//! An SMTP server for tests: enough of RFC 5321 for lettre's client without TLS. It records every
//! accepted message (envelope recipients and the raw RFC 5322 text, dot-unstuffed) and can refuse
//! DATA with a 451, to exercise the job queue's retries.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt as _, AsyncWriteExt as _, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;
use tokio::task::JoinHandle;

use super::mail::Mail;

/// `fail_data` value that refuses every DATA.
const ALWAYS: usize = usize::MAX;

/// One accepted message.
#[derive(Debug, Clone)]
pub struct Received {
    pub recipients: Vec<String>,
    /// The message as sent, CRLF line ends, dot-stuffing removed.
    pub data: String,
}

impl Received {
    pub fn mail(&self) -> Mail {
        Mail::parse(&self.data)
    }
}

#[derive(Debug, Default)]
struct Shared {
    messages: Mutex<Vec<Received>>,
    arrived: Notify,
    /// DATA commands still to refuse with 451 (`ALWAYS`: all of them).
    fail_data: AtomicUsize,
    /// DATA commands refused so far.
    refused: AtomicUsize,
}

/// A listening sink on 127.0.0.1; stops accepting when dropped.
#[derive(Debug)]
pub struct SmtpSink {
    port: u16,
    shared: Arc<Shared>,
    accept: JoinHandle<()>,
}

impl SmtpSink {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("sink binds");
        let port = listener.local_addr().unwrap().port();
        let shared = Arc::new(Shared::default());
        let for_task = shared.clone();
        let accept = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(converse(stream, for_task.clone()));
            }
        });
        Self {
            port,
            shared,
            accept,
        }
    }

    /// The `smtp_url` that reaches this sink.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Answers 451 to the next `n` DATA commands.
    pub fn fail_next_data(&self, n: usize) {
        self.shared.fail_data.store(n, Ordering::SeqCst);
    }

    /// Answers 451 to every DATA command from now on.
    pub fn fail_every_data(&self) {
        self.shared.fail_data.store(ALWAYS, Ordering::SeqCst);
    }

    /// How many DATA commands were refused.
    pub fn refused(&self) -> usize {
        self.shared.refused.load(Ordering::SeqCst)
    }

    /// Every message accepted so far, in order of arrival.
    pub fn received(&self) -> Vec<Received> {
        self.shared
            .messages
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Waits until at least `n` messages arrived; panics after `deadline`.
    pub async fn wait_for(&self, n: usize, deadline: Duration) -> Vec<Received> {
        let waiting = async {
            loop {
                let arrived = self.shared.arrived.notified();
                tokio::pin!(arrived);
                arrived.as_mut().enable();
                let received = self.received();
                if received.len() >= n {
                    return received;
                }
                arrived.await;
            }
        };
        let got = || self.received().len();
        tokio::time::timeout(deadline, waiting)
            .await
            .unwrap_or_else(|_| {
                panic!("the sink got {} of {n} messages within {deadline:?}", got())
            })
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

/// One SMTP session, until QUIT or the client hangs up.
async fn converse(stream: TcpStream, shared: Arc<Shared>) {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    let mut recipients = Vec::new();
    if write.write_all(b"220 sink ESMTP ready\r\n").await.is_err() {
        return;
    }
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
            return;
        }
        let verb = line.get(..4).unwrap_or(line.trim()).to_ascii_uppercase();
        let answer = match verb.as_str() {
            "EHLO" => "250-sink\r\n250-8BITMIME\r\n250 SIZE 1048576\r\n",
            "HELO" | "NOOP" => "250 OK\r\n",
            "MAIL" | "RSET" => {
                recipients.clear();
                "250 OK\r\n"
            }
            "RCPT" => {
                let address = line.split(['<', '>']).nth(1).unwrap_or_default();
                recipients.push(address.to_owned());
                "250 OK\r\n"
            }
            "DATA" if refuse(&shared) => "451 4.3.0 try again later\r\n",
            "DATA" => {
                if write
                    .write_all(b"354 end with <CRLF>.<CRLF>\r\n")
                    .await
                    .is_err()
                {
                    return;
                }
                let Some(data) = read_data(&mut lines).await else {
                    return;
                };
                let message = Received {
                    recipients: std::mem::take(&mut recipients),
                    data,
                };
                shared
                    .messages
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push(message);
                shared.arrived.notify_waiters();
                "250 OK queued\r\n"
            }
            "QUIT" => {
                let _ = write.write_all(b"221 bye\r\n").await;
                return;
            }
            _ => "502 command not implemented\r\n",
        };
        if write.write_all(answer.as_bytes()).await.is_err() {
            return;
        }
    }
}

/// Whether to refuse this DATA, counting it down.
fn refuse(shared: &Shared) -> bool {
    let refused = shared
        .fail_data
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| match n {
            0 => None,
            ALWAYS => Some(ALWAYS),
            n => Some(n - 1),
        })
        .is_ok();
    if refused {
        shared.refused.fetch_add(1, Ordering::SeqCst);
    }
    refused
}

/// The message text up to the lone "." line, with dot-stuffing removed; None on hang-up.
async fn read_data(lines: &mut BufReader<tokio::net::tcp::OwnedReadHalf>) -> Option<String> {
    let mut data = String::new();
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await.ok()? == 0 {
            return None;
        }
        if line == ".\r\n" || line == ".\n" {
            return Some(data);
        }
        data.push_str(line.strip_prefix('.').unwrap_or(&line));
    }
}
