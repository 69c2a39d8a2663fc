//! How the store's PostgreSQL connections behave when the server closes them (a restart, a
//! failover, an administrator): runs when `UPWARD_TEST_POSTGRES_URL` names a server, as in CI.

use sqlx::{Connection, Executor};
use upward_store::testing::{POSTGRES_URL_VARIABLE, TestDatabase};

/// The store lends pooled connections without testing each first (a round trip per query,
/// decision 024), except one idle for a second or more. So a connection the server closes
/// under load is found out by the query that uses it, which must answer "unavailable" (a 503
/// that says to try again), never another error, and the store must serve again on its own
/// within a few queries; and connections closed while the store was quiet fail no query.
#[tokio::test]
async fn connections_the_server_closed_give_unavailable_then_the_store_reconnects() {
    let Ok(server) = std::env::var(POSTGRES_URL_VARIABLE) else {
        return; // SQLite has no server to close its connections.
    };
    let db = TestDatabase::postgres(&server).await;
    let store = db.store();
    // Several connections into the pool, then idle.
    let warm = tokio::join!(store.ping(), store.ping(), store.ping(), store.ping());
    for ping in [warm.0, warm.1, warm.2, warm.3] {
        ping.expect("a live server");
    }
    let name = db
        .url
        .rsplit('/')
        .next()
        .expect("a database name")
        .to_owned();
    close_connections(&server, &name).await;
    let mut unavailable = 0;
    let served = loop {
        match store.ping().await {
            Ok(()) => break true,
            Err(error) => {
                assert!(error.is_unavailable(), "a closed connection gave: {error}");
                unavailable += 1;
                if unavailable > 16 {
                    break false;
                }
            }
        }
    };
    assert!(served, "still unavailable after {unavailable} queries");

    let warm = tokio::join!(store.ping(), store.ping(), store.ping(), store.ping());
    for ping in [warm.0, warm.1, warm.2, warm.3] {
        ping.expect("serving again");
    }
    close_connections(&server, &name).await;
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    for _ in 0..8 {
        store
            .ping()
            .await
            .expect("connections idle for a second are tested before they are lent");
    }
}

/// Has the server close every connection to the database `name`, as a restart does.
async fn close_connections(server: &str, name: &str) {
    let mut admin = sqlx::AnyConnection::connect(server).await.unwrap();
    let closed = admin
        .execute(sqlx::AssertSqlSafe(format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"
        )))
        .await
        .unwrap();
    assert!(
        closed.rows_affected() >= 1,
        "the server closed the store's connections"
    );
    admin.close().await.ok();
}
