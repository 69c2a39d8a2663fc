//! SQLite's reading connections, lent one query at a time without sqlx's pool.
//!
//! sqlx runs each SQLite connection on a thread of its own, so a query is a message to that
//! thread and an answer back. Its pool then pings every connection that comes back to it
//! (`PoolConnection::return_to_pool`, not configurable in sqlx 0.9): a second round trip per
//! query, which cost as much as the query itself for a participant's index lookups (decision
//! 024). A connection to a local file cannot have gone away, so these are lent and taken back
//! as they are. A lent connection whose query is dropped midway (a client that went away) is
//! taken back too: its thread finishes the cancelled command before it runs the next one.

use std::sync::Mutex;

use sqlx::AnyConnection;
use sqlx::{Connection, Executor};
use tokio::sync::{Semaphore, SemaphorePermit};

use crate::StoreResult;
use crate::sql::map_error;

pub(crate) struct Readers {
    url: String,
    idle: Mutex<Vec<AnyConnection>>,
    /// At most this many connections, lent or idle.
    permits: Semaphore,
}

/// A connection on loan; it goes back to the idle ones when dropped.
pub(crate) struct Lent<'a> {
    readers: &'a Readers,
    connection: Option<AnyConnection>,
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

    /// An idle connection, or a new one while there are fewer than the limit; else the first
    /// to come back, in the order they were asked for.
    pub(crate) async fn lend(&self) -> StoreResult<Lent<'_>> {
        let permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| map_error(sqlx::Error::PoolClosed))?;
        let idle = self.idle.lock().expect("never poisoned").pop();
        let connection = match idle {
            Some(connection) => connection,
            None => self.open().await?,
        };
        Ok(Lent {
            readers: self,
            connection: Some(connection),
            _permit: permit,
        })
    }

    async fn open(&self) -> StoreResult<AnyConnection> {
        let mut connection = AnyConnection::connect(&self.url).await.map_err(map_error)?;
        connection
            .execute(crate::sql::SQLITE_SETTINGS)
            .await
            .map_err(map_error)?;
        Ok(connection)
    }

    /// Closes the idle connections (lent ones close when they come back after this).
    pub(crate) async fn close(&self) {
        self.permits.close();
        let idle: Vec<AnyConnection> =
            std::mem::take(&mut *self.idle.lock().expect("never poisoned"));
        for connection in idle {
            let _ = connection.close().await;
        }
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
            && !self.readers.permits.is_closed()
        {
            self.readers
                .idle
                .lock()
                .expect("never poisoned")
                .push(connection);
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
        let first = readers.lend().await.unwrap();
        let waiting = tokio::time::timeout(Duration::from_millis(50), readers.lend()).await;
        assert!(waiting.is_err(), "the only connection is lent");
        drop(first);
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
    async fn a_query_dropped_midway_leaves_its_connection_usable() {
        let readers = readers(1);
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
        let mut lent = readers.lend().await.unwrap();
        let row = sqlx::query("SELECT 41 + 1 AS answer")
            .fetch_one(&mut *lent)
            .await
            .unwrap();
        assert_eq!(row.get::<i64, _>("answer"), 42);
    }

    #[tokio::test]
    async fn once_closed_nothing_is_lent() {
        let readers = readers(2);
        drop(readers.lend().await.unwrap());
        readers.close().await;
        assert!(readers.lend().await.is_err());
        assert!(readers.idle.lock().unwrap().is_empty());
    }
}
