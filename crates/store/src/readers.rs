//! The connections PostgreSQL reads go through, lent one query at a time without sqlx's pool
//! (SQLite reads run inline instead: the `sqlite_readers` module).
//!
//! sqlx's pool pings every connection that comes back to it (`PoolConnection::return_to_pool`,
//! not configurable in sqlx 0.9): a second round trip per query, which cost as much as the query
//! itself for a participant's index lookups (decision 024). These are lent and taken back as
//! they are, with what the pool's ping was for done another way:
//! - a connection comes back only when its query ended well. One whose query failed may be
//!   broken (a PostgreSQL server that went away) and one whose query was dropped midway (a
//!   client that went away) may still have an answer on its way, so both are closed instead,
//!   and the next borrower gets a fresh one;
//! - one that sat idle for a second is tested before it is lent (`IDLE_BEFORE_TEST`), so a
//!   server restarted while the store was quiet fails no query.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use sqlx::AnyConnection;
use sqlx::Connection;
use tokio::sync::{Semaphore, SemaphorePermit};

use crate::StoreResult;
use crate::sql::map_error;

/// A connection idle for this long is tested before it is lent.
pub(crate) const IDLE_BEFORE_TEST: Duration = Duration::from_secs(1);

/// How long opening a connection may take before the read fails as unavailable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

pub(crate) struct Readers {
    url: String,
    idle: Mutex<Vec<Idle>>,
    /// At most this many connections, lent or idle.
    permits: Semaphore,
}

struct Idle {
    connection: AnyConnection,
    since: Instant,
}

/// A connection on loan. It goes back to the idle ones when dropped after
/// [`Lent::ended_well`], and is closed otherwise.
pub(crate) struct Lent<'a> {
    readers: &'a Readers,
    connection: Option<AnyConnection>,
    ended_well: bool,
    _permit: SemaphorePermit<'a>,
}

impl Readers {
    /// Up to `connections` readers of the database at `url`, opened when first needed.
    pub(crate) fn new(url: &str, connections: usize) -> Self {
        Self {
            url: url.to_owned(),
            idle: Mutex::new(Vec::new()),
            permits: Semaphore::new(connections),
        }
    }

    /// An idle connection (tested first if it sat idle for a second), or a new one while there
    /// are fewer than the limit; else the first to come back, in the order they were asked for.
    pub(crate) async fn lend(&self) -> StoreResult<Lent<'_>> {
        let permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| map_error(sqlx::Error::PoolClosed))?;
        let connection = loop {
            let idle = self.idle.lock().expect("never poisoned").pop();
            match idle {
                None => break self.open().await?,
                Some(Idle { connection, since }) if since.elapsed() < IDLE_BEFORE_TEST => {
                    break connection;
                }
                Some(Idle { mut connection, .. }) => {
                    if connection.ping().await.is_ok() {
                        break connection;
                    }
                }
            }
        };
        Ok(Lent {
            readers: self,
            connection: Some(connection),
            ended_well: false,
            _permit: permit,
        })
    }

    async fn open(&self) -> StoreResult<AnyConnection> {
        // A server that does not answer fails the request (503) instead of holding it.
        tokio::time::timeout(CONNECT_TIMEOUT, AnyConnection::connect(&self.url))
            .await
            .map_err(|_| map_error(sqlx::Error::PoolTimedOut))?
            .map_err(map_error)
    }

    /// Closes the idle connections (lent ones close when they come back after this).
    pub(crate) async fn close(&self) {
        self.permits.close();
        let idle: Vec<Idle> = std::mem::take(&mut *self.idle.lock().expect("never poisoned"));
        for Idle { connection, .. } in idle {
            let _ = connection.close().await;
        }
    }
}

impl Lent<'_> {
    /// The query on this connection ended without an error: it may be lent again.
    pub(crate) fn ended_well(&mut self) {
        self.ended_well = true;
    }
}

impl std::ops::Deref for Lent<'_> {
    type Target = AnyConnection;
    fn deref(&self) -> &AnyConnection {
        self.connection.as_ref().expect("held until dropped")
    }
}

impl std::ops::DerefMut for Lent<'_> {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        self.connection.as_mut().expect("held until dropped")
    }
}

impl Drop for Lent<'_> {
    fn drop(&mut self) {
        if let Some(connection) = self.connection.take()
            && self.ended_well
            && !self.readers.permits.is_closed()
        {
            self.readers
                .idle
                .lock()
                .expect("never poisoned")
                .push(Idle {
                    connection,
                    since: Instant::now(),
                });
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use sqlx::Row;

    use super::*;

    fn readers(connections: usize) -> Readers {
        sqlx::any::install_default_drivers();
        Readers::new("sqlite::memory:", connections)
    }

    #[tokio::test]
    async fn beyond_the_limit_a_borrower_waits_for_a_connection_to_come_back() {
        let readers = readers(1);
        let mut first = readers.lend().await.unwrap();
        let waiting = tokio::time::timeout(Duration::from_millis(50), readers.lend()).await;
        assert!(waiting.is_err(), "the only connection is lent");
        first.ended_well();
        drop(first);
        assert_eq!(readers.idle.lock().unwrap().len(), 1, "given back");
        let _again = tokio::time::timeout(Duration::from_secs(5), readers.lend())
            .await
            .expect("given back")
            .unwrap();
        assert!(
            readers.idle.lock().unwrap().is_empty(),
            "the same one, lent again"
        );
    }

    #[tokio::test]
    async fn a_connection_whose_query_failed_or_was_dropped_is_closed_not_lent_again() {
        let readers = readers(1);
        let mut lent = readers.lend().await.unwrap();
        let failed = sqlx::query("SELECT * FROM no_such_table")
            .fetch_one(&mut *lent)
            .await;
        assert!(failed.is_err());
        drop(lent);
        assert!(readers.idle.lock().unwrap().is_empty(), "closed");

        let endless =
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000000)
                       SELECT COUNT(*) FROM n";
        let mut lent = readers.lend().await.unwrap();
        let cut_short = tokio::time::timeout(
            Duration::from_millis(20),
            sqlx::query(endless).fetch_one(&mut *lent),
        )
        .await;
        assert!(cut_short.is_err(), "the query was dropped before it ended");
        drop(lent);
        assert!(readers.idle.lock().unwrap().is_empty(), "closed");

        // The permit came back with each: the next borrower gets a fresh connection.
        let mut lent = tokio::time::timeout(Duration::from_secs(5), readers.lend())
            .await
            .expect("not left waiting")
            .unwrap();
        let row = sqlx::query("SELECT 41 + 1 AS answer")
            .fetch_one(&mut *lent)
            .await
            .unwrap();
        assert_eq!(row.get::<i64, _>("answer"), 42);
    }

    #[tokio::test]
    async fn a_connection_idle_for_a_second_is_tested_and_still_lent() {
        let readers = readers(1);
        let mut lent = readers.lend().await.unwrap();
        lent.ended_well();
        drop(lent);
        tokio::time::sleep(IDLE_BEFORE_TEST + Duration::from_millis(50)).await;
        let _lent = readers.lend().await.unwrap();
        assert!(
            readers.idle.lock().unwrap().is_empty(),
            "the tested one was lent"
        );
    }

    #[tokio::test]
    async fn once_closed_nothing_is_lent() {
        let readers = readers(2);
        let mut lent = readers.lend().await.unwrap();
        lent.ended_well();
        drop(lent);
        readers.close().await;
        assert!(readers.lend().await.is_err());
        assert!(readers.idle.lock().unwrap().is_empty());
    }
}
