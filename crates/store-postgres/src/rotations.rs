//! Where refresh rotations run: a connection of their own, held outside the pool.
//!
//! sqlx gives a pooled connection back through a task that first pings it, a round trip to the
//! server after every statement; rotations are this store's busiest statement (one batch after
//! another from the node's rotation task), so they keep one connection for good instead
//! (measured: refresh B/A 1.08, the median of eleven alternating 5 s rounds, B ahead in ten;
//! `docs/performance.md`). The connection is opened with the pool's options, on first use and
//! again after a failure, and pinged first when it sat idle as long as a pooled one would be
//! (the server or a firewall may have dropped it since), so one idle overnight costs a ping,
//! not a failed rotation.
//!
//! A batch that fails, or whose caller goes away midway, leaves no connection behind: the next
//! one opens a fresh connection instead of guessing what state the old one was left in. Nothing
//! is retried: a statement that may have committed must not run twice.

use std::time::Instant;

use gatehouse_domain::{Advance, StoreError, UserId};
use sqlx::{Connection as _, PgConnection, PgPool};
use tokio::sync::Mutex;

use crate::error::db;

#[derive(Debug)]
pub(crate) struct Rotations {
    /// Where the connection comes from: the pool's options, not its connections.
    pool: PgPool,
    /// The connection and when it last finished a statement; `None` until the first batch,
    /// after a failure, and once closed.
    held: Mutex<Option<(PgConnection, Instant)>>,
}

impl Rotations {
    pub(crate) fn new(pool: PgPool) -> Self {
        Self {
            pool,
            held: Mutex::new(None),
        }
    }

    /// Applies a batch of rotations ([`crate::sessions::advance`]) on the held connection.
    pub(crate) async fn advance(
        &self,
        steps: &[Advance],
    ) -> Result<Vec<Option<UserId>>, StoreError> {
        let mut held = self.held.lock().await;
        let mut conn = match held.take() {
            Some((conn, last)) if last.elapsed() < crate::PING_AFTER_IDLE => conn,
            Some((mut conn, _)) => match conn.ping().await {
                Ok(()) => conn,
                Err(_) => self.connect().await?,
            },
            None => self.connect().await?,
        };
        let moved = crate::sessions::advance(&mut conn, steps).await?;
        *held = Some((conn, Instant::now()));
        Ok(moved)
    }

    pub(crate) async fn close(&self) {
        if let Some((conn, _)) = self.held.lock().await.take() {
            let _ = conn.close().await;
        }
    }

    async fn connect(&self) -> Result<PgConnection, StoreError> {
        if self.pool.is_closed() {
            return Err(db(sqlx::Error::PoolClosed));
        }
        PgConnection::connect_with(&self.pool.connect_options())
            .await
            .map_err(db)
    }
}
