//! Fresh, throw-away databases for tests: a SQLite file in a temporary folder always, and a
//! new PostgreSQL database when `UPWARD_TEST_POSTGRES_URL` names a server. Each is dropped
//! when the `TestDatabase` is.

use std::sync::Arc;

use sqlx::{Connection, Executor};

use crate::{SqlStore, Store};

pub const POSTGRES_URL_VARIABLE: &str = "UPWARD_TEST_POSTGRES_URL";

pub struct TestDatabase {
    pub store: Arc<SqlStore>,
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    postgres: Option<(String, String)>,
}

impl TestDatabase {
    pub async fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let url = format!("sqlite://{}", dir.path().join("upward.db").display());
        let store = SqlStore::connect(&url)
            .await
            .expect("a fresh SQLite database");
        Self {
            store: Arc::new(store),
            url,
            _dir: Some(dir),
            postgres: None,
        }
    }

    /// A new database on the server at `server_url`, migrated and ready.
    pub async fn postgres(server_url: &str) -> Self {
        sqlx::any::install_default_drivers();
        let name = format!(
            "upward_test_{}_{}",
            std::process::id(),
            rand::random::<u64>()
        );
        let mut admin = sqlx::AnyConnection::connect(server_url)
            .await
            .unwrap_or_else(|e| {
                panic!("{POSTGRES_URL_VARIABLE}={server_url} is not reachable: {e}")
            });
        admin
            .execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .await
            .expect("CREATE DATABASE");
        admin.close().await.ok();
        let url = with_database(server_url, &name);
        let store = SqlStore::connect(&url)
            .await
            .expect("the new PostgreSQL database");
        Self {
            store: Arc::new(store),
            url,
            _dir: None,
            postgres: Some((server_url.to_owned(), name)),
        }
    }

    /// SQLite, plus PostgreSQL when the environment names a server: run a test body on each.
    pub async fn each_backend() -> Vec<Self> {
        let mut databases = Vec::new();
        for backend in backends() {
            databases.push(Self::fresh(backend).await);
        }
        databases
    }

    /// A fresh database of a backend [`backends`] names (a benchmark takes one per run).
    pub async fn fresh(backend: &str) -> Self {
        match std::env::var(POSTGRES_URL_VARIABLE) {
            Ok(url) if backend == "postgres" => Self::postgres(&url).await,
            _ => Self::sqlite().await,
        }
    }

    pub fn store(&self) -> Arc<dyn Store> {
        self.store.clone()
    }

    /// Where a PostgreSQL row's current version lies: (page, line), from its `ctid`. Each
    /// update writes a new version at the next free line (or on a later page once this one is
    /// full), and a transaction's own earlier versions are not reclaimed before it commits, so
    /// how far a row moved in one change says how many times the change wrote it. `filter`
    /// follows `WHERE` and picks one row (it may end in `ORDER BY ctid DESC LIMIT 1`).
    pub async fn row_position(&self, table: &str, filter: &str) -> (u32, u32) {
        let mut connection = sqlx::AnyConnection::connect(&self.url).await.unwrap();
        let sql = format!("SELECT CAST(ctid AS TEXT) AS ctid FROM {table} WHERE {filter}");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_one(&mut connection)
            .await
            .unwrap();
        let ctid: String = sqlx::Row::try_get(&row, "ctid").unwrap();
        let (page, line) = ctid
            .trim_matches(['(', ')'])
            .split_once(',')
            .expect("a ctid is (page,line)");
        (page.parse().unwrap(), line.parse().unwrap())
    }

    pub fn label(&self) -> &'static str {
        if self.postgres.is_some() {
            "postgres"
        } else {
            "sqlite"
        }
    }
}

/// The backends to test or measure: "sqlite", and "postgres" when the environment names a server
/// ([`POSTGRES_URL_VARIABLE`]).
pub fn backends() -> Vec<&'static str> {
    let mut backends = vec!["sqlite"];
    if std::env::var(POSTGRES_URL_VARIABLE).is_ok() {
        backends.push("postgres");
    }
    backends
}

fn with_database(server_url: &str, database: &str) -> String {
    let (base, query) = server_url
        .split_once('?')
        .map_or((server_url, None), |(b, q)| (b, Some(q)));
    let authority_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let base = match base[authority_end..].find('/') {
        Some(slash) => &base[..authority_end + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{base}/{database}?{query}"),
        None => format!("{base}/{database}"),
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Some((server_url, name)) = self.postgres.take() else {
            return;
        };
        // Drop may run inside a Tokio runtime, which cannot block; a helper thread with its own
        // runtime can.
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime");
            runtime.block_on(async {
                if let Ok(mut admin) = sqlx::AnyConnection::connect(&server_url).await {
                    let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                    let _ = admin.execute(sqlx::AssertSqlSafe(sql)).await;
                }
            });
        })
        .join();
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_database_name_replaces_the_path_of_the_server_url() {
        assert_eq!(
            super::with_database("postgres://u@h:5432/postgres", "t1"),
            "postgres://u@h:5432/t1"
        );
        assert_eq!(
            super::with_database("postgres://u@h:5432", "t1"),
            "postgres://u@h:5432/t1"
        );
        assert_eq!(
            super::with_database("postgres://h/db?sslmode=disable", "t1"),
            "postgres://h/t1?sslmode=disable"
        );
    }
}
